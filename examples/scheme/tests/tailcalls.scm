; Proper tail calls: loops of a million iterations in constant stack.
(define (count-down n) (if (= n 0) 'done (count-down (- n 1))))
(display (count-down 1000000)) (newline)

(define (my-even? n) (if (= n 0) #t (my-odd? (- n 1))))
(define (my-odd? n) (if (= n 0) #f (my-even? (- n 1))))
(display (my-even? 1000001)) (newline)

(define (sum-to n)
  (let loop ((i 0) (acc 0))
    (if (> i n) acc (loop (+ i 1) (+ acc i)))))
(display (sum-to 1000000)) (newline)

(define (cond-loop n) (cond ((= n 0) 'cond-done) (else (cond-loop (- n 1)))))
(display (cond-loop 1000000)) (newline)
(define (and-loop n) (and #t (if (= n 0) 'and-done (and-loop (- n 1)))))
(display (and-loop 1000000)) (newline)
(define (when-loop n) (when #t (if (= n 0) 'when-done (when-loop (- n 1)))))
(display (when-loop 1000000)) (newline)
(define (let-loop n) (let ((m (- n 1))) (if (< m 0) 'let-done (let-loop m))))
(display (let-loop 1000000)) (newline)

(display (do ((i 0 (+ i 1)) (acc '() (cons i acc))) ((= i 5) acc))) (newline)

; Non-tail recursion is bounded, and the error is reported, not a crash.
(define (deep n) (if (= n 0) 0 (+ 1 (deep (- n 1)))))
(display (deep 5000)) (newline)
(deep 100000)
(display "still running") (newline)
