;; A program whose `handle` sends three messages (`one`, `two`, `three`) to its sender, each
;; without a gas limit (each takes the mailbox threshold from the message's gas, so each waits in
;; the sender's mailbox), then lets Gear's auto reply answer.
(module
  (import "env" "memory" (memory 1))
  (import "env" "gr_source" (func $gr_source (param i32)))
  (import "env" "gr_send" (func $gr_send (param i32 i32 i32 i32 i32)))
  (export "init" (func $init))
  (export "handle" (func $handle))
  (data (i32.const 256) "one")
  (data (i32.const 260) "two")
  (data (i32.const 264) "three")
  (func $init)
  (func $handle
    ;; [0..32) destination, [32..48) value 0, [512..548) error code and message id.
    (call $gr_source (i32.const 0))
    (call $gr_send (i32.const 0) (i32.const 256) (i32.const 3) (i32.const 0) (i32.const 512))
    (call $gr_send (i32.const 0) (i32.const 260) (i32.const 3) (i32.const 0) (i32.const 512))
    (call $gr_send (i32.const 0) (i32.const 264) (i32.const 5) (i32.const 0) (i32.const 512))))
