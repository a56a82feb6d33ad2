;; A program whose `handle` sends `delayed` back to its sender with a delay of 3 blocks and no
;; gas limit (`gr_send` with `delay = 3`): the message waits in the dispatch stash, then reaches
;; the sender's mailbox.
(module
  (import "env" "memory" (memory 1))
  (import "env" "gr_source" (func $gr_source (param i32)))
  (import "env" "gr_send" (func $gr_send (param i32 i32 i32 i32 i32)))
  (export "init" (func $init))
  (export "handle" (func $handle))
  (data (i32.const 256) "delayed")
  (func $init)
  (func $handle
    ;; [0..32) destination, [32..48) value 0, [512..548) error code and message id.
    (call $gr_source (i32.const 0))
    (call $gr_send (i32.const 0) (i32.const 256) (i32.const 7) (i32.const 3) (i32.const 512))))
