//! The one boundary between a WASM backend and the syscalls.
//!
//! A backend implements [`Host`] over its caller handle (memory, host state, the `gear_gas`
//! global, memory growth) and links every syscall of [`linked_syscalls`] with its `gsys` 2.0
//! function type to [`call`]. Everything else (argument decoding, charging, the syscall logic,
//! `alloc` with Gear's allocation rules, `gr_system_break`) is here and in
//! [`crate::syscalls`], written once.

use crate::syscalls::{charge, charge_if_enough, HostState, HostTrap, SyscallCtx};
use gear_core::{
    costs::CostToken,
    gas::ChargeError,
    memory::{AllocError, HostPointer, Memory as GearMemory, MemoryError, NoopGrowHandler},
    pages::WasmPagesAmount,
};
use gear_wasm_instrument::{SyscallName, SystemBreakCode};

/// What a backend gives the syscalls during a call from the guest.
pub(crate) trait Host {
    /// The guest's linear memory and the host state, borrowed together.
    fn parts(&mut self) -> (&mut [u8], &mut HostState);
    /// The guest's linear memory.
    fn memory(&self) -> &[u8];
    /// Memory size in WASM pages.
    fn memory_pages(&self) -> u32;
    /// Grows memory by `pages` WASM pages.
    fn grow(&mut self, pages: u32) -> Result<(), ()>;
    /// Gas left (the `gear_gas` global).
    fn gas(&mut self) -> u64;
    /// Sets the gas left.
    fn set_gas(&mut self, gas: u64);
}

/// Every function a program may import from `env` (besides `memory`): all of gsys 2.0 for Vara
/// and `gr_system_break`, which instrumentation adds.
pub(crate) fn linked_syscalls() -> impl Iterator<Item = SyscallName> {
    SyscallName::all()
}

/// Wasm value types of a syscall's parameters and results, `true` for `i64`.
pub(crate) fn signature(name: SyscallName) -> (alloc::vec::Vec<bool>, alloc::vec::Vec<bool>) {
    use gear_wasm_instrument::ValType;
    if name == SyscallName::SystemBreak {
        // Added by instrumentation: `gr_system_break(code: i32)` (gsys has no signature for it).
        return (alloc::vec![false], alloc::vec![]);
    }
    let ty = name.signature().func_type();
    let is_i64 = |t: &ValType| matches!(t, ValType::I64);
    (
        ty.params().iter().map(is_i64).collect(),
        ty.results().iter().map(is_i64).collect(),
    )
}

/// Runs syscall `name` with `args` (each widened to `u64`). `Ok(Some(v))` is the `i32` result of
/// a syscall that has one. `Err(())` means the program stops: the reason is in the host state's
/// `trap`, for the backend to unwind with.
pub(crate) fn call(
    host: &mut impl Host,
    name: SyscallName,
    args: &[u64],
) -> Result<Option<i32>, ()> {
    let result = match name {
        SyscallName::Alloc => alloc(host, arg(args, 0)).map(|page| Some(page as i32)),
        SyscallName::SystemBreak => Err(system_break(host, arg(args, 0))),
        _ => {
            let mut gas = host.gas();
            let result = {
                let (mem, state) = host.parts();
                let mut ctx = SyscallCtx {
                    mem,
                    state,
                    gas: &mut gas,
                };
                ctx.dispatch(name, args)
            };
            host.set_gas(gas);
            result
        }
    };
    result.map_err(|trap| {
        host.parts().1.trap = Some(trap);
    })
}

/// Argument `i` as a `u32` (wasm `i32` arguments arrive zero-extended).
pub(crate) fn arg(args: &[u64], i: usize) -> u32 {
    args.get(i).copied().unwrap_or(0) as u32
}

fn system_break(host: &mut impl Host, code: u32) -> HostTrap {
    match SystemBreakCode::try_from(code) {
        Ok(SystemBreakCode::OutOfGas) => {
            host.set_gas(0);
            HostTrap::OutOfGas
        }
        Ok(SystemBreakCode::StackLimitExceeded) => HostTrap::StackLimitExceeded,
        Err(_) => HostTrap::UnknownSystemBreak(code),
    }
}

/// `gear_core`'s memory interface over any [`Host`], for `AllocationsContext::alloc`.
struct HostMemory;

impl<H: Host> GearMemory<H> for HostMemory {
    type GrowError = ();

    fn grow(&self, ctx: &mut H, pages: WasmPagesAmount) -> Result<(), ()> {
        ctx.grow(u32::from(pages))
    }

    fn size(&self, ctx: &H) -> WasmPagesAmount {
        WasmPagesAmount::try_from(ctx.memory_pages()).unwrap_or(WasmPagesAmount::UPPER)
    }

    fn write(&self, ctx: &mut H, offset: u32, buffer: &[u8]) -> Result<(), MemoryError> {
        let offset = offset as usize;
        ctx.parts()
            .0
            .get_mut(offset..offset.saturating_add(buffer.len()))
            .ok_or(MemoryError::AccessOutOfBounds)?
            .copy_from_slice(buffer);
        Ok(())
    }

    fn read(&self, ctx: &H, offset: u32, buffer: &mut [u8]) -> Result<(), MemoryError> {
        let offset = offset as usize;
        buffer.copy_from_slice(
            ctx.memory()
                .get(offset..offset.saturating_add(buffer.len()))
                .ok_or(MemoryError::AccessOutOfBounds)?,
        );
        Ok(())
    }

    unsafe fn get_buffer_host_addr_unsafe(&self, ctx: &H) -> HostPointer {
        ctx.memory().as_ptr() as HostPointer
    }
}

/// `alloc`: Gear's allocation rules (`AllocationsContext`), memory growth charged per page.
/// A failed allocation returns `u32::MAX` to the program (gstd then calls `gr_oom_panic`).
fn alloc(host: &mut impl Host, pages: u32) -> Result<u32, HostTrap> {
    let mut gas = host.gas();
    let state = host.parts().1;
    let cost = state.costs.cost_for_token(CostToken::Alloc);
    let (grow_base, grow_per_page) = state.mem_grow;
    if let Err(trap) = charge(&mut gas, cost) {
        host.set_gas(gas);
        return Err(trap);
    }
    let Some(mut allocations) = host.parts().1.allocations.take() else {
        host.set_gas(gas);
        return Ok(u32::MAX);
    };
    let result = match WasmPagesAmount::try_from(pages) {
        Err(_) => Err(AllocError::ProgramAllocOutOfBounds),
        Ok(amount) => allocations.alloc::<_, NoopGrowHandler>(
            host,
            &mut HostMemory,
            amount,
            |grow: WasmPagesAmount| {
                let cost =
                    grow_base.saturating_add(grow_per_page.saturating_mul(u32::from(grow).into()));
                // Gear: not enough gas to grow fails the allocation (`u32::MAX`), burning
                // nothing for it.
                charge_if_enough(&mut gas, cost).map_err(|_| ChargeError::GasLimitExceeded)
            },
        ),
    };
    host.parts().1.allocations = Some(allocations);
    host.set_gas(gas);
    Ok(result.map(u32::from).unwrap_or(u32::MAX))
}
