;; flags: --sites
; docs/GUIDE.md's leak hunt. A request handler keeps every session it made in a global list
(define sessions-seen '())     ; meant for debugging, and never emptied: the leak
; A session: its data and a handler that closes over them (frame <-> handler is a cycle).
(define (make-session id)
  (define data (make-vector 2 id))
  (define (handler msg) (vector-ref data 0))
  handler)
; One request: make a session, remember it, use it.
(define (serve id)
  (let ((session (make-session id)))
    (set! sessions-seen (cons session sessions-seen))
    (session 'hello)))
(define (serve-many n) (do ((i 0 (+ i 1))) ((= i n)) (serve i)))

; 1. Is something growing? Warm up, collect, set the baseline, run, collect, compare.
(serve-many 10)
(gc-collect)
(show-growth 0)
(serve-many 1000)
(gc-collect)
(show-growth 4)
; 2. Why is this one still alive? (asked without a variable of its own), and 3. pictures:
; the chain alone, and who refers to it, three levels up.
(show-chain (why-alive (car sessions-seen)) "leak-chain.dot")
(show-backrefs (car sessions-seen) "leak-backrefs.dot" 3)
; 4. The fix, and the proof.
(set! sessions-seen '())
(display (gc-collect)) (display " unreachable objects collected") (newline)
(show-growth 4)
(display (heap-check)) (newline)
