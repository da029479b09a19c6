;; flags: --sites
; The leak tools on a planted leak: every session a request makes is remembered in a global
; log that nothing reads.
(define log '())
(define (make-session id)
  (define data (make-vector 2 id))
  (define (handler msg) (vector-ref data 0))
  handler)
(define (serve id)
  (let ((session (make-session id)))
    (set! log (cons session log))   ; the leak
    (session 'hello)))
(define (serve-many n) (do ((i 0 (+ i 1))) ((= i n)) (serve i)))

(serve-many 10)
(gc-collect)
(show-growth 0)                     ; sets the baseline, prints nothing
(serve-many 100)
(gc-collect)
(show-growth 5)                     ; what grew: 100 of each, and where
(display (type-count "procedure")) (newline)
(define chain (why-alive (car log)))
(display (length chain)) (newline)
(show-backrefs (car log) "backrefs.dot")
(show-refs (car log) "refs.dot" 2)
(show-chain chain "chain.dot")
; Fixed: drop the log (and the chain, which holds its first pair); the sessions' cycles
; (frame <-> handler) go with the next collection.
(set! log '())
(set! chain #f)
(display (> (gc-collect) 0)) (newline)
(show-growth 5)
(display (type-count "procedure")) (newline)
(display (heap-check)) (newline)
