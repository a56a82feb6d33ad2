//! # gear-rpc
//!
//! Gear's `gear_*` JSON-RPC methods, as Gear's node serves them, so that `@gear-js/api` and the
//! tools built on it work against this chain unchanged:
//!
//! | method (and Gear's older name) | params |
//! |---|---|
//! | `gear_calculateGasForUpload` (`gear_calculateInitUploadGas`) | `source, code, payload, value, allow_other_panics, at?` |
//! | `gear_calculateGasForCreate` (`gear_calculateInitCreateGas`) | `source, code_id, payload, value, allow_other_panics, at?` |
//! | `gear_calculateGasForHandle` (`gear_calculateHandleGas`) | `source, destination, payload, value, allow_other_panics, at?` |
//! | `gear_calculateGasForReply` (`gear_calculateReplyGas`) | `source, message_id, payload, value, allow_other_panics, at?` |
//! | `gear_calculateReplyForHandle` | `origin, destination, payload, gas_limit, value, at?` |
//! | `gear_readState` (deprecated in Gear) | `program_id, payload, at?` → the `state` export's reply |
//! | `gear_readMetahash` (deprecated in Gear) | `program_id, at?` → the `metahash` export's 32 bytes |
//! | `runtime_wasmBlobVersion` | `at?` |
//!
//! Ids and bytes are `0x` hex; `value` and `gas_limit` are JSON numbers or big-endian `0x` hex
//! strings (the client sends numbers above 2^52 as hex); `at` is a block hash (default: the best
//! block). Gas methods return Gear's `GasInfo` with snake_case keys (`min_limit`, `reserved`, `burned`, `may_be_returned`,
//! `waited`); `gear_calculateReplyForHandle` returns `{payload, value, code}` with the reply code
//! in Gear's JSON form (e.g. `{"Success": "Manual"}`).
//!
//! Each method is a `GearApi` runtime call: the real extrinsic and queue on the state at `at`,
//! rolled back (`pallet_gear`'s dry runs, bounded in trials and gas). Errors:
//! - [`DRY_RUN_ERROR`]: the dry run says what is wrong (unknown program, code rejected and why,
//!   the program's panic message, out of gas at the cap, ...), in Gear's shape: message
//!   `Runtime error`, the reason as the error's `data`;
//! - [`RUNTIME_ERROR`]: the runtime call itself failed (e.g. an unknown block hash);
//! - malformed parameters are refused by the server with JSON-RPC's invalid-params error,
//!   naming the parameter.

use std::{marker::PhantomData, sync::Arc};

use gear_primitives::{
    ActorId, CodeId, ErrorReplyReason, GasInfo, HandleKind, MessageId, ReplyCode, ReplyInfo,
};
use jsonrpsee::{
    core::RpcResult,
    proc_macros::rpc,
    types::error::{ErrorObject, ErrorObjectOwned},
};
use polkadot_sdk::{
    sp_api::{ApiError, Core, ProvideRuntimeApi},
    sp_blockchain::HeaderBackend,
    sp_core::{Bytes, H256},
    sp_runtime::traits::Block as BlockT,
};
use serde::{Deserialize, Deserializer, Serialize};

/// JSON-RPC error code: the dry run refused or failed; the message says why.
pub const DRY_RUN_ERROR: i32 = 8000;
/// JSON-RPC error code: the runtime call could not be made (e.g. unknown block).
pub const RUNTIME_ERROR: i32 = 8001;

/// A `u128` as `@gear-js/api` sends it: a JSON number, a decimal string, or a big-endian `0x`
/// hex string.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Value(pub u128);

impl<'de> Deserialize<'de> for Value {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct Visitor;
        impl<'v> serde::de::Visitor<'v> for Visitor {
            type Value = Value;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str(
                    "a non-negative integer, or a big-endian 0x hex string of at most 16 bytes",
                )
            }
            fn visit_u64<E: serde::de::Error>(self, v: u64) -> Result<Value, E> {
                Ok(Value(v.into()))
            }
            fn visit_u128<E: serde::de::Error>(self, v: u128) -> Result<Value, E> {
                Ok(Value(v))
            }
            fn visit_i64<E: serde::de::Error>(self, v: i64) -> Result<Value, E> {
                u128::try_from(v)
                    .map(Value)
                    .map_err(|_| E::custom("value must not be negative"))
            }
            fn visit_f64<E: serde::de::Error>(self, _: f64) -> Result<Value, E> {
                Err(E::custom(
                    "value must be an integer (use a 0x hex string for large values)",
                ))
            }
            fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<Value, E> {
                parse_value(v).map(Value).map_err(E::custom)
            }
            // serde_json with `arbitrary_precision` (enabled in the node's dependency tree)
            // hands a number over as a one-entry map holding its digits.
            fn visit_map<A: serde::de::MapAccess<'v>>(self, mut map: A) -> Result<Value, A::Error> {
                use serde::de::Error;
                let (_, digits): (String, String) = map
                    .next_entry()?
                    .ok_or_else(|| A::Error::custom("value must be a number or a string"))?;
                if digits.contains(['.', 'e', 'E']) {
                    return Err(A::Error::custom(
                        "value must be an integer (use a 0x hex string for large values)",
                    ));
                }
                if digits.starts_with('-') {
                    return Err(A::Error::custom("value must not be negative"));
                }
                parse_value(&digits).map(Value).map_err(A::Error::custom)
            }
        }
        deserializer.deserialize_any(Visitor)
    }
}

impl Serialize for Value {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&format!("0x{:x}", self.0))
    }
}

/// Parses a value string: `0x` big-endian hex (at most 32 digits) or decimal digits.
pub fn parse_value(v: &str) -> Result<u128, String> {
    if let Some(hex) = v.strip_prefix("0x").or_else(|| v.strip_prefix("0X")) {
        if hex.is_empty() {
            return Ok(0);
        }
        if hex.len() > 32 {
            return Err(format!("value {v} has more than 16 bytes"));
        }
        u128::from_str_radix(hex, 16).map_err(|e| format!("value {v} is not hex: {e}"))
    } else {
        v.parse::<u128>()
            .map_err(|e| format!("value {v:?} is not a non-negative integer: {e}"))
    }
}

/// Gear's JSON form of a reply code (serde's external tagging of `gear_core_errors::ReplyCode`):
/// `{"Success": "Manual"}`, `{"Error": {"Execution": "RanOutOfGas"}}`,
/// `{"Error": "RemovedFromWaitlist"}`, `"Unsupported"`.
pub fn reply_code_json(code: ReplyCode) -> serde_json::Value {
    use serde_json::json;
    match code {
        ReplyCode::Success(reason) => json!({ "Success": format!("{reason:?}") }),
        ReplyCode::Error(ErrorReplyReason::Execution(e)) => {
            json!({ "Error": { "Execution": format!("{e:?}") } })
        }
        ReplyCode::Error(ErrorReplyReason::UnavailableActor(e)) => {
            json!({ "Error": { "UnavailableActor": format!("{e:?}") } })
        }
        ReplyCode::Error(other) => json!({ "Error": format!("{other:?}") }),
        ReplyCode::Unsupported => json!("Unsupported"),
    }
}

/// `gear_calculateReplyForHandle`'s result.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ReplyInfoJson {
    /// The reply payload, `0x` hex.
    pub payload: Bytes,
    /// The value the reply carries.
    pub value: u128,
    /// Gear's reply code, in Gear's JSON form.
    pub code: serde_json::Value,
}

impl From<ReplyInfo> for ReplyInfoJson {
    fn from(info: ReplyInfo) -> Self {
        Self {
            payload: info.payload.into(),
            value: info.value,
            code: reply_code_json(info.code),
        }
    }
}

/// Gear's `gear_*` methods.
#[rpc(server)]
pub trait GearApi<BlockHash> {
    /// Gas for `upload_program(code, .., payload, .., value)` from `source`.
    #[method(name = "gear_calculateGasForUpload", aliases = ["gear_calculateInitUploadGas"])]
    fn calculate_gas_for_upload(
        &self,
        source: H256,
        code: Bytes,
        payload: Bytes,
        value: Value,
        allow_other_panics: bool,
        at: Option<BlockHash>,
    ) -> RpcResult<GasInfo>;

    /// Gas for `create_program(code_id, .., payload, .., value)` from `source`.
    #[method(name = "gear_calculateGasForCreate", aliases = ["gear_calculateInitCreateGas"])]
    fn calculate_gas_for_create(
        &self,
        source: H256,
        code_id: H256,
        payload: Bytes,
        value: Value,
        allow_other_panics: bool,
        at: Option<BlockHash>,
    ) -> RpcResult<GasInfo>;

    /// Gas for `send_message(destination, payload, .., value)` from `source`.
    #[method(name = "gear_calculateGasForHandle", aliases = ["gear_calculateHandleGas"])]
    fn calculate_gas_for_handle(
        &self,
        source: H256,
        destination: H256,
        payload: Bytes,
        value: Value,
        allow_other_panics: bool,
        at: Option<BlockHash>,
    ) -> RpcResult<GasInfo>;

    /// Gas for `send_reply(message_id, payload, .., value)` from `source`.
    #[method(name = "gear_calculateGasForReply", aliases = ["gear_calculateReplyGas"])]
    fn calculate_gas_for_reply(
        &self,
        source: H256,
        message_id: H256,
        payload: Bytes,
        value: Value,
        allow_other_panics: bool,
        at: Option<BlockHash>,
    ) -> RpcResult<GasInfo>;

    /// The reply `destination` gives `origin`'s message (e.g. a sails query).
    #[method(name = "gear_calculateReplyForHandle")]
    fn calculate_reply_for_handle(
        &self,
        origin: H256,
        destination: H256,
        payload: Bytes,
        gas_limit: Value,
        value: Value,
        at: Option<BlockHash>,
    ) -> RpcResult<ReplyInfoJson>;

    /// Gear's deprecated state read: the reply of program `program_id`'s `state` export to
    /// `payload`, run on its current memory (`api.programState.read`).
    #[method(name = "gear_readState")]
    fn read_state(
        &self,
        program_id: H256,
        payload: Bytes,
        at: Option<BlockHash>,
    ) -> RpcResult<Bytes>;

    /// The hash program `program_id`'s `metahash` export replies with (`api.program.metaHash`).
    #[method(name = "gear_readMetahash")]
    fn read_metahash(&self, program_id: H256, at: Option<BlockHash>) -> RpcResult<H256>;

    /// The runtime's version string: `<spec_name>-<spec_version>`.
    #[method(name = "runtime_wasmBlobVersion")]
    fn wasm_blob_version(&self, at: Option<BlockHash>) -> RpcResult<String>;
}

/// The `gear_*` methods over a client whose runtime implements `GearApi`.
pub struct Gear<C, Block> {
    client: Arc<C>,
    _block: PhantomData<Block>,
}

impl<C, Block> Gear<C, Block> {
    /// Serves `client`.
    pub fn new(client: Arc<C>) -> Self {
        Self {
            client,
            _block: PhantomData,
        }
    }
}

fn runtime_error(e: ApiError) -> ErrorObjectOwned {
    ErrorObject::owned(
        RUNTIME_ERROR,
        format!("runtime call failed: {e}"),
        None::<()>,
    )
}

/// What the runtime refused, in Gear's shape: code 8000, message `Runtime error`, the reason as
/// `data` (Gear's client looks there, e.g. for `Program not found`).
fn dry_run_error(e: Vec<u8>) -> ErrorObjectOwned {
    ErrorObject::owned(
        DRY_RUN_ERROR,
        "Runtime error",
        Some(String::from_utf8_lossy(&e).into_owned()),
    )
}

impl<C, Block> Gear<C, Block>
where
    Block: BlockT<Hash = H256>,
    C: ProvideRuntimeApi<Block> + HeaderBackend<Block> + Send + Sync + 'static,
    C::Api: gear_primitives::GearApi<Block>,
{
    fn at(&self, at: Option<H256>) -> H256 {
        at.unwrap_or_else(|| self.client.info().best_hash)
    }

    fn gas(
        &self,
        source: H256,
        kind: HandleKind,
        payload: Bytes,
        value: Value,
        allow_other_panics: bool,
        at: Option<H256>,
    ) -> RpcResult<GasInfo> {
        use gear_primitives::GearApi as _;
        self.client
            .runtime_api()
            .calculate_gas_info(
                self.at(at),
                source,
                kind,
                payload.0,
                value.0,
                allow_other_panics,
                None,
            )
            .map_err(runtime_error)?
            .map_err(dry_run_error)
    }
}

impl<C, Block> GearApiServer<H256> for Gear<C, Block>
where
    Block: BlockT<Hash = H256>,
    C: ProvideRuntimeApi<Block> + HeaderBackend<Block> + Send + Sync + 'static,
    C::Api: gear_primitives::GearApi<Block>,
{
    fn calculate_gas_for_upload(
        &self,
        source: H256,
        code: Bytes,
        payload: Bytes,
        value: Value,
        allow_other_panics: bool,
        at: Option<H256>,
    ) -> RpcResult<GasInfo> {
        let kind = HandleKind::Init(code.0);
        self.gas(source, kind, payload, value, allow_other_panics, at)
    }

    fn calculate_gas_for_create(
        &self,
        source: H256,
        code_id: H256,
        payload: Bytes,
        value: Value,
        allow_other_panics: bool,
        at: Option<H256>,
    ) -> RpcResult<GasInfo> {
        let kind = HandleKind::InitByHash(CodeId::new(code_id.0));
        self.gas(source, kind, payload, value, allow_other_panics, at)
    }

    fn calculate_gas_for_handle(
        &self,
        source: H256,
        destination: H256,
        payload: Bytes,
        value: Value,
        allow_other_panics: bool,
        at: Option<H256>,
    ) -> RpcResult<GasInfo> {
        let kind = HandleKind::Handle(ActorId::new(destination.0));
        self.gas(source, kind, payload, value, allow_other_panics, at)
    }

    fn calculate_gas_for_reply(
        &self,
        source: H256,
        message_id: H256,
        payload: Bytes,
        value: Value,
        allow_other_panics: bool,
        at: Option<H256>,
    ) -> RpcResult<GasInfo> {
        let kind = HandleKind::Reply(
            MessageId::new(message_id.0),
            ReplyCode::Success(gear_primitives::SuccessReplyReason::Manual),
        );
        self.gas(source, kind, payload, value, allow_other_panics, at)
    }

    fn calculate_reply_for_handle(
        &self,
        origin: H256,
        destination: H256,
        payload: Bytes,
        gas_limit: Value,
        value: Value,
        at: Option<H256>,
    ) -> RpcResult<ReplyInfoJson> {
        use gear_primitives::GearApi as _;
        let gas_limit = u64::try_from(gas_limit.0).map_err(|_| {
            ErrorObject::owned(
                jsonrpsee::types::error::INVALID_PARAMS_CODE,
                format!("gas_limit {} does not fit in u64", gas_limit.0),
                None::<()>,
            )
        })?;
        self.client
            .runtime_api()
            .calculate_reply_for_handle(
                self.at(at),
                origin,
                destination,
                payload.0,
                gas_limit,
                value.0,
            )
            .map_err(runtime_error)?
            .map(ReplyInfoJson::from)
            .map_err(dry_run_error)
    }

    fn read_state(&self, program_id: H256, payload: Bytes, at: Option<H256>) -> RpcResult<Bytes> {
        use gear_primitives::GearApi as _;
        self.client
            .runtime_api()
            .read_state(self.at(at), program_id, payload.0, None)
            .map_err(runtime_error)?
            .map(Bytes)
            .map_err(dry_run_error)
    }

    fn read_metahash(&self, program_id: H256, at: Option<H256>) -> RpcResult<H256> {
        use gear_primitives::GearApi as _;
        self.client
            .runtime_api()
            .read_metahash(self.at(at), program_id, None)
            .map_err(runtime_error)?
            .map_err(dry_run_error)
    }

    fn wasm_blob_version(&self, at: Option<H256>) -> RpcResult<String> {
        let version = self
            .client
            .runtime_api()
            .version(self.at(at))
            .map_err(runtime_error)?;
        Ok(format!("{}-{}", version.spec_name, version.spec_version))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn value(json: &str) -> Result<u128, String> {
        serde_json::from_str::<Value>(json)
            .map(|v| v.0)
            .map_err(|e| e.to_string())
    }

    #[test]
    fn values_as_the_client_sends_them() {
        assert_eq!(value("0"), Ok(0));
        assert_eq!(value("1000000000000"), Ok(1_000_000_000_000));
        assert_eq!(
            value("\"0x0de0b6b3a7640000\""),
            Ok(1_000_000_000_000_000_000)
        );
        assert_eq!(value("\"0x\""), Ok(0));
        assert_eq!(value("\"12345\""), Ok(12345));
        assert_eq!(value("18446744073709551615"), Ok(u64::MAX.into()));
        assert_eq!(value(&format!("\"0x{}\"", "f".repeat(32))), Ok(u128::MAX));
        assert!(value("-1").unwrap_err().contains("negative"));
        assert!(value("1.5").unwrap_err().contains("integer"));
        assert!(value("\"0xzz\"").unwrap_err().contains("not hex"));
        assert!(value(&format!("\"0x{}\"", "f".repeat(33)))
            .unwrap_err()
            .contains("more than 16 bytes"));
        assert!(value("true").is_err());
    }

    #[test]
    fn reply_codes_in_gears_json() {
        use gear_primitives::{SimpleExecutionError, SimpleUnavailableActorError};
        assert_eq!(
            reply_code_json(ReplyCode::Success(
                gear_primitives::SuccessReplyReason::Manual
            ))
            .to_string(),
            r#"{"Success":"Manual"}"#
        );
        assert_eq!(
            reply_code_json(ReplyCode::Error(ErrorReplyReason::Execution(
                SimpleExecutionError::RanOutOfGas
            )))
            .to_string(),
            r#"{"Error":{"Execution":"RanOutOfGas"}}"#
        );
        assert_eq!(
            reply_code_json(ReplyCode::Error(ErrorReplyReason::UnavailableActor(
                SimpleUnavailableActorError::ProgramExited
            )))
            .to_string(),
            r#"{"Error":{"UnavailableActor":"ProgramExited"}}"#
        );
        assert_eq!(
            reply_code_json(ReplyCode::Error(ErrorReplyReason::RemovedFromWaitlist)).to_string(),
            r#"{"Error":"RemovedFromWaitlist"}"#
        );
        assert_eq!(
            reply_code_json(ReplyCode::Unsupported).to_string(),
            r#""Unsupported""#
        );
    }

    #[test]
    fn gas_info_keys_are_gears() {
        let info = GasInfo {
            min_limit: 1,
            reserved: 2,
            burned: 3,
            may_be_returned: 4,
            waited: true,
        };
        assert_eq!(
            serde_json::to_string(&info).unwrap(),
            r#"{"min_limit":1,"reserved":2,"burned":3,"may_be_returned":4,"waited":true}"#
        );
    }
}
