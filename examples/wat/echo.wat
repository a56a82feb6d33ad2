;; A program that replies to every message with the message's own payload (up to 128 KiB).
(module
  (import "env" "memory" (memory 3))
  (import "env" "gr_size" (func $gr_size (param i32)))
  (import "env" "gr_read" (func $gr_read (param i32 i32 i32 i32)))
  (import "env" "gr_reply" (func $gr_reply (param i32 i32 i32 i32)))
  (export "handle" (func $handle))
  (func $handle (local $len i32)
    (call $gr_size (i32.const 0))
    (local.set $len (i32.load (i32.const 0)))
    (call $gr_read (i32.const 0) (local.get $len) (i32.const 64) (i32.const 8))
    (call $gr_reply (i32.const 64) (local.get $len) (i32.const -1) (i32.const 16))))
