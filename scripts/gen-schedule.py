#!/usr/bin/env python3
"""Writes runtime/src/gear_schedule.rs: Gear's schedule structure with this chain's numbers.

Inputs (both printed by `gear-bench`, see scripts/bench-schedule.sh):
  ratios    `gear-bench --ratios`: per workload, picoseconds of execution inside the runtime
            per unit of gas charged under the runtime's *current* schedule;
  defaults  `gear-bench --schedule-defaults`: Gear's default weights (`{:#?}`) of the parts
            scaled here.
The factors the ratios were measured under are in the ratios file (`factor` lines).

For each part (instructions, syscalls, memory growth, instantiation, persisted memory) the new
factor is
    current factor x worst measured ratio of that part's workloads x MARGIN,
never below 1.0: a part Gear already prices above what it costs here keeps Gear's price, and a
part it undercharges is raised until its worst workload costs at most 1 / MARGIN of its weight.
Only `ref_time` is scaled; proof sizes are Gear's.

An optional fourth argument names the parts to regenerate (comma-separated, e.g. `persisted`
after a change to how the engine persists memory); the others keep the factor they were
measured under, so that one run's noise does not move prices the change did not touch.
"""
import datetime
import platform
import re
import sys

MARGIN = 1.25
PARTS = ["instructions", "syscalls", "memory", "instantiation", "persisted"]
STRUCTS = {
    "instruction_weights": ("InstructionWeights", "instructions"),
    "syscall_weights": ("SyscallWeights", "syscalls"),
    "memory_weights": ("MemoryWeights", "memory"),
    "instantiation_weights": ("InstantiationWeights", "instantiation"),
}
RUST_KEYWORDS = {"if", "loop", "type", "fn", "else", "match", "return", "use", "mod", "ref"}


def read_ratios(path):
    rows = []
    for line in open(path):
        parts = line.split()
        if len(parts) == 7 and parts[0] == "ratio":
            _, part, name, ratio, rt_ms, native_ms, gas = parts
            rows.append((part, name, float(ratio), float(rt_ms), float(native_ms), int(gas)))
    if not rows:
        sys.exit(f"gen-schedule: no `ratio` lines in {path}")
    return rows


def read_defaults(path):
    """`== name` headers, each followed by a `{:#?}` struct of u32 fields or Weight fields."""
    sections, current = {}, None
    for line in open(path):
        line = line.rstrip("\n")
        if line.startswith("== "):
            current = line[3:].strip()
            sections[current] = []
        elif current is not None:
            sections[current].append(line)
    parsed = {}
    for name, lines in sections.items():
        if len(lines) == 1 and lines[0].strip().isdigit():
            parsed[name] = [(name, int(lines[0].strip()))]
            continue
        fields, stack = [], []
        for line in lines[1:]:
            s = line.strip()
            m = re.match(r"^(r#)?(\w+): (\d+),$", s)
            if m and not stack:
                fields.append((m.group(2), int(m.group(3))))
                continue
            m = re.match(r"^(r#)?(\w+): Weight \{$", s)
            if m:
                stack.append({"name": m.group(2)})
                continue
            m = re.match(r"^(ref_time|proof_size): (\d+),$", s)
            if m and stack:
                stack[-1][m.group(1)] = int(m.group(2))
                continue
            if s == "}," and stack:
                w = stack.pop()
                fields.append((w["name"], (w["ref_time"], w["proof_size"])))
                continue
            if s == "}":
                break
            sys.exit(f"gen-schedule: cannot read `{s}` in {name}")
        parsed[name] = fields
    return parsed


def read_measured_factors(path):
    """The factors the ratios were measured under (`factor <part> <permille>` lines)."""
    factors = {}
    for line in open(path):
        parts = line.split()
        if len(parts) == 3 and parts[0] == "factor":
            factors[parts[1]] = int(parts[2])
    missing = [p for p in PARTS if p not in factors]
    if missing:
        sys.exit(f"gen-schedule: no `factor` line for {missing} in {path}")
    return factors


def machine():
    model = platform.machine()
    try:
        for line in open("/proc/cpuinfo"):
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
        cores = sum(1 for line in open("/proc/cpuinfo") if line.startswith("processor"))
        return f"{cores} x {model}"
    except OSError:
        return model


def ident(name):
    return f"r#{name}" if name in RUST_KEYWORDS else name


def main():
    ratios_path, defaults_path, out_path = sys.argv[1:4]
    only = [p for p in sys.argv[4].split(",") if p] if len(sys.argv) > 4 else PARTS
    unknown = [p for p in only if p not in PARTS]
    if unknown or not only:
        sys.exit(f"gen-schedule: parts to regenerate must be among {PARTS}, got {only}")
    rows = read_ratios(ratios_path)
    defaults = read_defaults(defaults_path)
    current = read_measured_factors(ratios_path)
    new = {}
    for part in PARTS:
        if part not in only:
            new[part] = current[part]
            continue
        measured = [r[2] for r in rows if r[0] == part]
        worst = max(measured) if measured else 0.0
        new[part] = max(1000, round(current[part] * worst * MARGIN))

    today = datetime.date.today().isoformat()
    out = []
    w = out.append
    w("//! GENERATED by `scripts/bench-schedule.sh` (scripts/gen-schedule.py): do not edit by hand.")
    w("//!")
    w("//! Gear's schedule structure with this chain's numbers: Gear's default weights for")
    w("//! instructions, syscalls, memory and instantiation, and the engine's cost of a persisted")
    w("//! memory page (restore + scan), each part's `ref_time` multiplied by a")
    w("//! factor measured inside the runtime (the runtime WASM executed as relay-chain validators")
    w("//! execute it, with the PVF's wasmtime semantics; `gear-bench --ratios`) so that the worst")
    w("//! workload of each part costs at most")
    w(f"//! 1 / {MARGIN} of the weight it is charged. A factor is never below 1.0 (Gear's price).")
    w("//!")
    w(f"//! Measured {today} on {machine()}:")
    w("//! ps of in-runtime time per gas under the previous factors, per workload:")
    w("//!")
    w("//! | part | workload | ps/gas | in runtime | native | gas |")
    w("//! |---|---|---|---|---|---|")
    for part, name, ratio, rt_ms, native_ms, gas in rows:
        w(f"//! | {part} | {name} | {ratio:.3f} | {rt_ms:.2f} ms | {native_ms:.2f} ms | {gas} |")
    w("//!")
    w("//! Previous factors (permille): " + ", ".join(f"{p} {current[p]}" for p in PARTS) + ".")
    if only != PARTS:
        w("//! Regenerated from this measurement: " + ", ".join(only)
          + "; the other parts keep their previous factors.")
    w("//! Changing instruction weights changes the gas already-instrumented codes are charged")
    w("//! only for codes instrumented after the change: regenerate before a chain launches.")
    w("")
    w("use pallet_gear::schedule::{")
    w("    InstantiationWeights, InstructionWeights, MemoryWeights, SyscallWeights, Weight,")
    w("};")
    w("")
    for part in PARTS:
        w(f"/// Factor (permille) on Gear's `{part}` weights.")
        w(f"pub const {part.upper()}_PERMILLE: u64 = {new[part]};")
    w("")
    scan = defaults.get("memory_scan_per_wasm_page")
    if not scan:
        sys.exit(f"gen-schedule: no `memory_scan_per_wasm_page` in {defaults_path}")
    w("/// Gas per WASM page of persisted memory (restore before the call, scan for changes after")
    w(f"/// it): the engine's native-speed default {scan[0][1]} x {new['persisted'] / 1000:.3}.")
    w(f"pub const MEMORY_SCAN_PER_WASM_PAGE: u64 = {scan[0][1] * new['persisted'] // 1000};")
    w("")
    for section, (ty, part) in STRUCTS.items():
        factor = new[part]
        fields = defaults.get(section)
        if fields is None:
            sys.exit(f"gen-schedule: no `{section}` in {defaults_path}")
        w(f"/// Gear's `{ty}` with `ref_time` x {factor / 1000:.3}.")
        w(f"pub fn {section}() -> {ty} {{")
        w(f"    {ty} {{")
        for name, value in fields:
            if isinstance(value, tuple):
                ref_time, proof = value
                w(f"        {ident(name)}: Weight {{")
                w(f"            ref_time: {ref_time * factor // 1000},")
                w(f"            proof_size: {proof},")
                w("        },")
            elif name == "version":
                w(f"        version: {value},")
            else:
                w(f"        {ident(name)}: {value * factor // 1000},")
        w("    }")
        w("}")
        w("")
    open(out_path, "w").write("\n".join(out).rstrip("\n") + "\n")
    for part in PARTS:
        print(f"gen-schedule: {part}: {current[part] / 1000:.3} -> {new[part] / 1000:.3}")


if __name__ == "__main__":
    main()
