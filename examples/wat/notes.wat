;; A program with Gear's informational exports (read by `gear_readState` / `gear_readMetahash`):
;; `handle` keeps the message's payload (up to 1 KiB) as its note; `state` replies with the note
;; followed by the payload it is given; `metahash` replies with 32 bytes of 0x11. All its memory
;; is persisted (no stack end), so the note survives between messages.
(module
  (import "env" "memory" (memory 1))
  (import "env" "gr_size" (func $gr_size (param i32)))
  (import "env" "gr_read" (func $gr_read (param i32 i32 i32 i32)))
  (import "env" "gr_reply" (func $gr_reply (param i32 i32 i32 i32)))
  (export "init" (func $init))
  (export "handle" (func $handle))
  (export "state" (func $state))
  (export "metahash" (func $metahash))
  ;; 256..288: the metahash; 512: the note's length; 516..1540: the note; then the state input.
  (data (i32.const 256) "\11\11\11\11\11\11\11\11\11\11\11\11\11\11\11\11\11\11\11\11\11\11\11\11\11\11\11\11\11\11\11\11")
  (func $init)
  ;; The payload's length, at most 1 KiB.
  (func $len (result i32) (local $len i32)
    (call $gr_size (i32.const 0))
    (local.set $len (i32.load (i32.const 0)))
    (select (i32.const 1024) (local.get $len) (i32.gt_u (local.get $len) (i32.const 1024))))
  (func $handle (local $len i32)
    (local.set $len (call $len))
    (call $gr_read (i32.const 0) (local.get $len) (i32.const 516) (i32.const 8))
    (i32.store (i32.const 512) (local.get $len)))
  (func $state (local $note i32) (local $len i32)
    (local.set $note (i32.load (i32.const 512)))
    (local.set $len (call $len))
    (call $gr_read (i32.const 0) (local.get $len) (i32.add (i32.const 516) (local.get $note)) (i32.const 8))
    (call $gr_reply (i32.const 516) (i32.add (local.get $note) (local.get $len)) (i32.const -1) (i32.const 16)))
  (func $metahash
    (call $gr_reply (i32.const 256) (i32.const 32) (i32.const -1) (i32.const 16))))
