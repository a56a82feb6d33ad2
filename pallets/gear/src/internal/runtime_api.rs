//! What the runtime APIs call.

use crate::{gas, messenger, program, Config, Pallet};
use alloc::vec::Vec;
use gear_core::message::DispatchKind;
use gear_engine::{
    code::ProgramCodeMeta, Dispatch, ExecutionInput, ExecutionStatus, ProgramCode, ProgramMemory,
};
use gprimitives::{ActorId, CodeId, MessageId};
use polkadot_sdk::frame_support::traits::Get;

impl<T: Config> Pallet<T> {
    /// Validates `code` as `upload_code` would, without storing it: the instrumented
    /// length, or the refusal as text (`GearEngineApi::validate_code`).
    pub fn check_code(code: Vec<u8>) -> Result<u32, Vec<u8>> {
        gear_engine::validate_and_instrument_with(code, &T::Schedule::get(), crate::syscall_enabled)
            .map(|code| code.instrumented.len() as u32)
            .map_err(|err| alloc::format!("{err}").into_bytes())
    }

    /// Runs `handle` of `code` without storing anything: fresh memory, no balance, at most
    /// `gas_limit` (capped at `BlockGasLimit`) (`GearEngineApi::run_handle`).
    pub fn run_unstored(
        code: Vec<u8>,
        payload: Vec<u8>,
        gas_limit: u64,
    ) -> Result<gear_primitives::CodeRun, Vec<u8>> {
        let config = Self::execution_config();
        let code = gear_engine::validate_and_instrument_with(
            code,
            &config.schedule,
            crate::syscall_enabled,
        )
        .map_err(|err| alloc::format!("{err}").into_bytes())?;
        let gas_limit = gas_limit.min(<T as gas::Config>::BlockGasLimit::get());
        let outcome = gear_engine::execute(
            ProgramCode {
                instrumented: &code.instrumented,
                meta: &code.meta,
            },
            &ProgramMemory::default(),
            Dispatch {
                kind: DispatchKind::Handle,
                id: MessageId::zero(),
                source: ActorId::zero(),
                destination: ActorId::from(code.code_id.into_bytes()),
                payload,
                value: 0,
                details: None,
                context: None,
            },
            &ExecutionInput {
                block: Self::block_info(),
                gas_limit,
                ..Default::default()
            },
            &config,
        );
        Ok(gear_primitives::CodeRun {
            gas_burned: outcome.gas_burned,
            reply: outcome.reply.map(|reply| reply.payload),
            error: match outcome.status {
                ExecutionStatus::Trap { reason, .. } => Some(reason),
                _ => None,
            },
        })
    }

    /// Number of dispatches waiting in the queue.
    pub fn queue_len() -> u64 {
        messenger::Pallet::<T>::queue_len()
    }

    /// The metadata of code `code_id`, if it is stored.
    pub fn code_meta(code_id: CodeId) -> Option<ProgramCodeMeta> {
        program::InstrumentedCodeStorage::<T>::get(code_id).map(|(_, meta)| meta)
    }
}
