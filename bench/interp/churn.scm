; Closure churn: each object is a frame, three procedures closing over it, a vector and
; three pairs: about ten objects in cycles, dropped at once. 500,000 of them.
(define (make-obj i)
  (define count 0)
  (define (get) i)
  (define (inc!) (set! count (+ count 1)) count)
  (define methods (vector get inc!))
  (define (self m) ((vector-ref methods m)))
  (cons self (list get inc!)))
(define (churn n)
  (let loop ((i 0) (acc 0))
    (if (= i n) acc
        (let ((o (make-obj i)))
          ((car o) 1)
          (loop (+ i 1) (+ acc ((car o) 0)))))))
(display (churn 500000)) (newline)
