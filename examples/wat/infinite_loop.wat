;; A program whose `handle` loops forever: it must run out of gas at exactly its limit.
(module
  (import "env" "memory" (memory 1))
  (export "init" (func $init))
  (export "handle" (func $handle))
  (func $init)
  (func $handle
    (loop $forever
      (br $forever))))
