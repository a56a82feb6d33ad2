;; A program whose `handle` exits (`gr_exit`) with its sender as the inheritor: the program's
;; balance (with the value the message brought) goes to the sender.
(module
  (import "env" "memory" (memory 1))
  (import "env" "gr_source" (func $gr_source (param i32)))
  (import "env" "gr_exit" (func $gr_exit (param i32)))
  (export "init" (func $init))
  (export "handle" (func $handle))
  (func $init)
  (func $handle
    (call $gr_source (i32.const 0))
    (call $gr_exit (i32.const 0))))
