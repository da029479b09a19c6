; Closures, environments, letrec, internal defines, set! on captured variables.
(define (make-counter)
  (let ((n 0))
    (lambda () (set! n (+ n 1)) n)))
(define a (make-counter))
(define b (make-counter))
(a) (a) (b)
(display (list (a) (b))) (newline)

(define (make-account balance)
  (define (withdraw amount)
    (if (> amount balance)
        "insufficient"
        (begin (set! balance (- balance amount)) balance)))
  (define (deposit amount) (set! balance (+ balance amount)) balance)
  (lambda (m . args)
    (cond ((eq? m 'withdraw) (apply withdraw args))
          ((eq? m 'deposit) (apply deposit args))
          (else (error "unknown request" m)))))
(define acc (make-account 100))
(display (acc 'withdraw 30)) (newline)
(display (acc 'deposit 5)) (newline)
(display (acc 'withdraw 500)) (newline)

(define (compose . fs)
  (if (null? fs)
      (lambda (x) x)
      (lambda (x) ((car fs) ((apply compose (cdr fs)) x)))))
(display ((compose (lambda (x) (* x 2)) (lambda (x) (+ x 1))) 5)) (newline)

(letrec ((ev? (lambda (n) (if (= n 0) #t (od? (- n 1)))))
         (od? (lambda (n) (if (= n 0) #f (ev? (- n 1))))))
  (display (list (ev? 10) (od? 7))) (newline))

(define (adder n) (lambda (x) (+ x n)))
(display (map (adder 10) '(1 2 3))) (newline)

; A closure stored in the frame it closes over: a cycle of frame and procedure.
(define (cyclic)
  (define (self) self)
  (eq? (self) self))
(display (cyclic)) (newline)

(define x 'global)
(define (shadow x) (let ((x (list x x))) x))
(display (shadow 1)) (display x) (newline)

(define (rest a . more) (list a more))
(display (rest 1)) (display (rest 1 2 3)) (newline)
(display ((lambda args args) 1 2)) (newline)
