;; A program whose `handle` waits (`gr_wait`) on an empty message and exits (`gr_exit`, the
;; sender inheriting) on any other: exiting leaves messages waiting in it, which the chain then
;; answers with Gear's `ProgramExited` error replies.
(module
  (import "env" "memory" (memory 1))
  (import "env" "gr_size" (func $gr_size (param i32)))
  (import "env" "gr_source" (func $gr_source (param i32)))
  (import "env" "gr_wait" (func $gr_wait))
  (import "env" "gr_exit" (func $gr_exit (param i32)))
  (export "init" (func $init))
  (export "handle" (func $handle))
  (func $init)
  (func $handle
    (call $gr_size (i32.const 64))
    (if (i32.eqz (i32.load (i32.const 64)))
      (then (call $gr_wait)))
    (call $gr_source (i32.const 0))
    (call $gr_exit (i32.const 0))))
