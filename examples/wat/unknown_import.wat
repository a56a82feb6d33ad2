;; Imports a function that is no Gear syscall: refused at upload.
(module
  (import "env" "memory" (memory 1))
  (import "env" "gr_steal_funds" (func $steal (param i32)))
  (export "handle" (func $handle))
  (func $handle
    (call $steal (i32.const 0))))
