//! Node-specific RPC methods.
//!
//! `sc-service` already serves the standard Substrate RPC (chain, state, author, system, ...);
//! this module adds the FRAME extensions the Gear runtime supports and Gear's `gear_*` methods
//! (`gear-rpc`). Both the collator service
//! ([`crate::service`]) and the relay-less dev service ([`crate::dev`]) build their RPC module
//! through [`create_full`].

use std::sync::Arc;

use polkadot_sdk::*;

use gear_runtime::{opaque::Block, AccountId, Balance, Nonce};
use sc_transaction_pool_api::TransactionPool;
use sp_api::ProvideRuntimeApi;
use sp_block_builder::BlockBuilder;
use sp_blockchain::{Error as BlockChainError, HeaderBackend, HeaderMetadata};

/// A type representing all RPC extensions.
pub type RpcExtension = jsonrpsee::RpcModule<()>;

/// Dependencies of the node-specific RPC methods.
pub struct FullDeps<C, P> {
    /// The client instance to use.
    pub client: Arc<C>,
    /// Transaction pool instance.
    pub pool: Arc<P>,
}

/// Instantiate all node-specific RPC extensions.
pub fn create_full<C, P>(
    deps: FullDeps<C, P>,
) -> Result<RpcExtension, Box<dyn std::error::Error + Send + Sync>>
where
    C: ProvideRuntimeApi<Block>
        + HeaderBackend<Block>
        + HeaderMetadata<Block, Error = BlockChainError>
        + Send
        + Sync
        + 'static,
    C::Api: substrate_frame_rpc_system::AccountNonceApi<Block, AccountId, Nonce>
        + pallet_transaction_payment_rpc::TransactionPaymentRuntimeApi<Block, Balance>
        + BlockBuilder<Block>
        + gear_primitives::GearApi<Block>,
    P: TransactionPool + Sync + Send + 'static,
{
    use gear_rpc::GearApiServer;
    use pallet_transaction_payment_rpc::{TransactionPayment, TransactionPaymentApiServer};
    use substrate_frame_rpc_system::{System, SystemApiServer};

    let mut module = RpcExtension::new(());
    let FullDeps { client, pool } = deps;

    module.merge(System::<P, C, Block>::new(client.clone(), pool).into_rpc())?;
    module.merge(TransactionPayment::<C, Block>::new(client.clone()).into_rpc())?;

    module.merge(gear_rpc::Gear::<C, Block>::new(client).into_rpc())?;

    Ok(module)
}
