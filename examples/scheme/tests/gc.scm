; Closures and environments make real cycles; the collector frees them.
(define (make-cycle)
  (define (f) f)   ; f's frame holds f, f holds its frame
  f)
(gc-collect)
(define before (live-objects))
(define (churn n) (if (> n 0) (begin (make-cycle) (churn (- n 1)))))
(gc-disable)
(churn 1000)
(display (> (- (live-objects) before) 1999)) (newline)  ; 1000 frames and 1000 procedures
(display (gc-collect)) (newline)                       ; all of them unreachable
(display (- (live-objects) before)) (newline)
(gc-enable)
; With automatic collection on, a long churn stays flat.
(churn 100000)
(display (< (- (live-objects) before) 5000)) (newline)
(gc-collect)
(display (- (live-objects) before)) (newline)
(display (length (gc-count))) (newline)
(display (heap-check)) (newline)
; A self-referencing list and vector.
(define (ring) (let ((p (list 1 2 3))) (set-cdr! (cddr p) p) 'made))
(define (vring) (let ((v (make-vector 2 0))) (vector-set! v 0 v) 'made))
(ring) (vring)
(display (gc-collect)) (newline)
(display (type-count "pair")) (newline)
