//! Gear's gas tree, over any key-value store.
//!
//! Every message sent by a user (or a reply, or a mailbox auto reply) is the root of a tree whose
//! gas the root's payer bought. A message a program sends takes its gas from the sending message's
//! node: *split* shares it (the child has no value of its own and draws on the nearest ancestor
//! that has), *split with value* cuts an amount into a child, *cut* and *reserve* cut an amount
//! into a detached node (a message waiting in the mailbox, a gas reservation), and a *deposit*
//! sets gas aside for a future reply. Gas held for rent is *locked* in the node that rents
//! (waitlist, mailbox, stash, reservation); a message's *system reservation* pays its signal.
//!
//! When a node is consumed, its value goes to its nearest living ancestor that has value, or, if
//! none is left, back to the tree's payer. A node stays while it has children; the tree ends when
//! its last node goes. Per tree, always: value held in nodes (values, locks, system reserves) +
//! burned + refunded = bought ([`GasTree::held`]).
//!
//! The store is a trait so the pallet keeps nodes in storage and tests keep them in memory: one
//! implementation of the rules.

use codec::{Decode, Encode, MaxEncodedLen};
use gprimitives::{ActorId, MessageId, ReservationId};
use scale_info::TypeInfo;

/// A gas node's key: a message, or a gas reservation (Gear's `GasNodeId`).
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Encode, Decode, TypeInfo, MaxEncodedLen,
)]
pub enum GasNodeId {
    /// The gas of a message.
    Node(MessageId),
    /// A gas reservation.
    Reservation(ReservationId),
}

impl From<MessageId> for GasNodeId {
    fn from(id: MessageId) -> Self {
        Self::Node(id)
    }
}

impl From<ReservationId> for GasNodeId {
    fn from(id: ReservationId) -> Self {
        Self::Reservation(id)
    }
}

/// What a node is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Encode, Decode, TypeInfo, MaxEncodedLen)]
pub enum GasNodeKind {
    /// A tree's root: a message bought by its payer.
    External,
    /// A message with its own gas, cut from its parent's.
    SpecifiedLocal,
    /// A message sharing its parent's gas.
    UnspecifiedLocal,
    /// Detached gas of a message held out of the tree (a message in the mailbox); cannot be
    /// split.
    Cut,
    /// A gas reservation (detached; messages sent from it split it).
    Reserved,
    /// Gas set aside for a future reply (detached; the reply's own node).
    Deposit,
}

/// One node.
#[derive(Clone, Debug, PartialEq, Eq, Encode, Decode, TypeInfo, MaxEncodedLen)]
pub struct GasNode {
    /// What it is.
    pub kind: GasNodeKind,
    /// The tree it belongs to (its root's message).
    pub root: MessageId,
    /// The node it was split from (`None` for roots and detached nodes).
    pub parent: Option<GasNodeId>,
    /// Its own gas (always 0 for [`GasNodeKind::UnspecifiedLocal`]).
    pub value: u64,
    /// Gas locked for rent.
    pub lock: u64,
    /// Gas of the message's system reservation.
    pub system_reserve: u64,
    /// Children (nodes whose `parent` is this node).
    pub refs: u32,
    /// Children sharing this node's gas.
    pub unspec_refs: u32,
    /// Whether its message is done.
    pub consumed: bool,
}

impl GasNode {
    fn new(kind: GasNodeKind, root: MessageId, parent: Option<GasNodeId>, value: u64) -> Self {
        Self {
            kind,
            root,
            parent,
            value,
            lock: 0,
            system_reserve: 0,
            refs: 0,
            unspec_refs: 0,
            consumed: false,
        }
    }

    fn has_value(&self) -> bool {
        self.kind != GasNodeKind::UnspecifiedLocal
    }

    /// Gas this node holds itself: value, lock and system reserve.
    pub fn held(&self) -> u64 {
        self.value
            .saturating_add(self.lock)
            .saturating_add(self.system_reserve)
    }
}

/// A tree's account: who paid and where the gas went.
#[derive(Clone, Debug, Default, PartialEq, Eq, Encode, Decode, TypeInfo, MaxEncodedLen)]
pub struct GasTree {
    /// Who bought the gas (and gets the rest back).
    pub payer: ActorId,
    /// Gas bought.
    pub bought: u64,
    /// Gas burned (execution and rent).
    pub burned: u64,
    /// Gas returned to the payer.
    pub refunded: u64,
    /// Nodes alive.
    pub nodes: u32,
    /// Storage deposit its messages may still take from the payer for the state they make
    /// programs keep (the chain sets it when the tree starts; refunds to the payer from within
    /// the tree add back to it).
    pub deposit_left: u128,
}

impl GasTree {
    /// Gas still held in the tree's nodes, by its account.
    pub fn held(&self) -> u64 {
        self.bought
            .saturating_sub(self.burned)
            .saturating_sub(self.refunded)
    }
}

/// Why an operation on the tree failed. The tree is unchanged when one does.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum GasTreeError {
    /// No node with this key.
    NodeNotFound,
    /// A node with this key already exists.
    NodeAlreadyExists,
    /// The gas asked for is more than the node can give.
    InsufficientGas,
    /// The node cannot do this (e.g. split a cut node, consume a node with a lock).
    Forbidden,
    /// The tree's account is missing (corrupted storage).
    TreeNotFound,
}

/// Where nodes and trees live, and where refunds go.
pub trait GasStore {
    /// The node under `id`.
    fn node(&self, id: GasNodeId) -> Option<GasNode>;
    /// Writes a node.
    fn set_node(&mut self, id: GasNodeId, node: GasNode);
    /// Removes a node.
    fn remove_node(&mut self, id: GasNodeId);
    /// The account of the tree rooted at `root`.
    fn tree(&self, root: MessageId) -> Option<GasTree>;
    /// Writes a tree's account.
    fn set_tree(&mut self, root: MessageId, tree: GasTree);
    /// Removes a tree's account (its last node is gone).
    fn remove_tree(&mut self, root: MessageId);
    /// Pays `amount` of gas back to `payer`.
    fn refund(&mut self, payer: ActorId, amount: u64);
}

/// Gas trees in memory (tests, the engine's test queue, dry runs): refunds are summed by payer.
#[derive(Clone, Debug, Default)]
pub struct MemoryGasStore {
    /// Nodes.
    pub nodes: alloc::collections::BTreeMap<GasNodeId, GasNode>,
    /// Living trees.
    pub trees: alloc::collections::BTreeMap<MessageId, GasTree>,
    /// Trees whose last node is gone, as they ended.
    pub ended: alloc::collections::BTreeMap<MessageId, GasTree>,
    /// Gas refunded, by payer.
    pub refunded: alloc::collections::BTreeMap<ActorId, u64>,
}

impl GasStore for MemoryGasStore {
    fn node(&self, id: GasNodeId) -> Option<GasNode> {
        self.nodes.get(&id).cloned()
    }
    fn set_node(&mut self, id: GasNodeId, node: GasNode) {
        self.nodes.insert(id, node);
    }
    fn remove_node(&mut self, id: GasNodeId) {
        self.nodes.remove(&id);
    }
    fn tree(&self, root: MessageId) -> Option<GasTree> {
        self.trees.get(&root).cloned()
    }
    fn set_tree(&mut self, root: MessageId, tree: GasTree) {
        self.trees.insert(root, tree);
    }
    fn remove_tree(&mut self, root: MessageId) {
        if let Some(tree) = self.trees.remove(&root) {
            self.ended.insert(root, tree);
        }
    }
    fn refund(&mut self, payer: ActorId, amount: u64) {
        let total = self.refunded.entry(payer).or_default();
        *total = total.saturating_add(amount);
    }
}

type Result<T> = core::result::Result<T, GasTreeError>;

fn get(store: &impl GasStore, id: GasNodeId) -> Result<GasNode> {
    store.node(id).ok_or(GasTreeError::NodeNotFound)
}

/// The node whose value `id` uses: itself, or its nearest ancestor with value.
pub fn limit_holder(store: &impl GasStore, id: GasNodeId) -> Result<(GasNodeId, GasNode)> {
    let mut id = id;
    let mut node = get(store, id)?;
    // Depth is bounded by the tree; a cycle can only come from corrupt storage.
    for _ in 0..1024 {
        if node.has_value() {
            return Ok((id, node));
        }
        id = node.parent.ok_or(GasTreeError::NodeNotFound)?;
        node = get(store, id)?;
    }
    Err(GasTreeError::NodeNotFound)
}

/// Gas available to `id`.
pub fn get_limit(store: &impl GasStore, id: GasNodeId) -> Result<u64> {
    limit_holder(store, id).map(|(_, node)| node.value)
}

/// The tree `id` belongs to and its payer.
pub fn tree_of(store: &impl GasStore, id: GasNodeId) -> Result<(MessageId, GasTree)> {
    let node = get(store, id)?;
    let tree = store.tree(node.root).ok_or(GasTreeError::TreeNotFound)?;
    Ok((node.root, tree))
}

/// Starts a tree: `root`'s message with `amount` bought by `payer`, who allows its messages to
/// take up to `deposit_limit` of storage deposit.
pub fn create(
    store: &mut impl GasStore,
    payer: ActorId,
    root: MessageId,
    amount: u64,
    deposit_limit: u128,
) -> Result<()> {
    let id = GasNodeId::Node(root);
    if store.node(id).is_some() || store.tree(root).is_some() {
        return Err(GasTreeError::NodeAlreadyExists);
    }
    store.set_tree(
        root,
        GasTree {
            payer,
            bought: amount,
            burned: 0,
            refunded: 0,
            nodes: 1,
            deposit_left: deposit_limit,
        },
    );
    store.set_node(id, GasNode::new(GasNodeKind::External, root, None, amount));
    Ok(())
}

/// Burns `amount` of the gas available to `id`.
pub fn spend(store: &mut impl GasStore, id: GasNodeId, amount: u64) -> Result<()> {
    let (holder_id, mut holder) = limit_holder(store, id)?;
    if holder.value < amount {
        return Err(GasTreeError::InsufficientGas);
    }
    let mut tree = store.tree(holder.root).ok_or(GasTreeError::TreeNotFound)?;
    holder.value -= amount;
    tree.burned = tree.burned.saturating_add(amount);
    store.set_node(holder_id, holder.clone());
    store.set_tree(holder.root, tree);
    Ok(())
}

/// Adds a node `child` taking its gas from `parent`: `amount` of it (`Some`), or sharing it
/// (`None`); `detached` nodes do not keep their parent alive.
fn add_child(
    store: &mut impl GasStore,
    parent: GasNodeId,
    child: GasNodeId,
    kind: GasNodeKind,
    amount: u64,
) -> Result<()> {
    if store.node(child).is_some() {
        return Err(GasTreeError::NodeAlreadyExists);
    }
    let mut parent_node = get(store, parent)?;
    if parent_node.kind == GasNodeKind::Cut {
        return Err(GasTreeError::Forbidden);
    }
    let (holder_id, mut holder) = limit_holder(store, parent)?;
    if holder.value < amount {
        return Err(GasTreeError::InsufficientGas);
    }
    let root = parent_node.root;
    let mut tree = store.tree(root).ok_or(GasTreeError::TreeNotFound)?;
    holder.value -= amount;
    store.set_node(holder_id, holder);
    let attached = matches!(
        kind,
        GasNodeKind::SpecifiedLocal | GasNodeKind::UnspecifiedLocal
    );
    if attached {
        parent_node = get(store, parent)?;
        parent_node.refs = parent_node.refs.saturating_add(1);
        if kind == GasNodeKind::UnspecifiedLocal {
            parent_node.unspec_refs = parent_node.unspec_refs.saturating_add(1);
        }
        store.set_node(parent, parent_node);
    }
    tree.nodes = tree.nodes.saturating_add(1);
    store.set_tree(root, tree);
    store.set_node(
        child,
        GasNode::new(kind, root, attached.then_some(parent), amount),
    );
    Ok(())
}

/// `child` shares the gas of `parent`.
pub fn split(store: &mut impl GasStore, parent: GasNodeId, child: MessageId) -> Result<()> {
    add_child(
        store,
        parent,
        child.into(),
        GasNodeKind::UnspecifiedLocal,
        0,
    )
}

/// `child` gets `amount` of `parent`'s gas.
pub fn split_with_value(
    store: &mut impl GasStore,
    parent: GasNodeId,
    child: MessageId,
    amount: u64,
) -> Result<()> {
    add_child(
        store,
        parent,
        child.into(),
        GasNodeKind::SpecifiedLocal,
        amount,
    )
}

/// `child` (a message leaving the tree, e.g. into the mailbox) gets `amount` of `parent`'s gas
/// as a detached node.
pub fn cut(
    store: &mut impl GasStore,
    parent: GasNodeId,
    child: MessageId,
    amount: u64,
) -> Result<()> {
    add_child(store, parent, child.into(), GasNodeKind::Cut, amount)
}

/// Reservation `reservation` gets `amount` of `parent`'s gas.
pub fn reserve(
    store: &mut impl GasStore,
    parent: GasNodeId,
    reservation: ReservationId,
    amount: u64,
) -> Result<()> {
    add_child(
        store,
        parent,
        reservation.into(),
        GasNodeKind::Reserved,
        amount,
    )
}

/// `amount` of `parent`'s gas waits for reply `future_reply`.
pub fn create_deposit(
    store: &mut impl GasStore,
    parent: GasNodeId,
    future_reply: MessageId,
    amount: u64,
) -> Result<()> {
    add_child(
        store,
        parent,
        future_reply.into(),
        GasNodeKind::Deposit,
        amount,
    )
}

/// Whether `id` is a reply deposit not yet used.
pub fn is_deposit(store: &impl GasStore, id: MessageId) -> bool {
    store
        .node(id.into())
        .is_some_and(|node| node.kind == GasNodeKind::Deposit && !node.consumed)
}

/// Where gas set aside in a node sits.
#[derive(Clone, Copy)]
enum Held {
    Lock,
    SystemReserve,
}

fn held_mut(node: &mut GasNode, held: Held) -> &mut u64 {
    match held {
        Held::Lock => &mut node.lock,
        Held::SystemReserve => &mut node.system_reserve,
    }
}

/// Moves `amount` of the gas available to `id` into `id`'s `held` part.
fn set_aside(store: &mut impl GasStore, id: GasNodeId, amount: u64, held: Held) -> Result<()> {
    let (holder_id, mut holder) = limit_holder(store, id)?;
    if holder.value < amount {
        return Err(GasTreeError::InsufficientGas);
    }
    holder.value -= amount;
    store.set_node(holder_id, holder);
    let mut node = get(store, id)?;
    let part = held_mut(&mut node, held);
    *part = part.saturating_add(amount);
    store.set_node(id, node);
    Ok(())
}

/// Returns all of `id`'s `held` part to the gas available to it; returns how much.
fn release_held(store: &mut impl GasStore, id: GasNodeId, held: Held) -> Result<u64> {
    let mut node = get(store, id)?;
    let amount = core::mem::take(held_mut(&mut node, held));
    store.set_node(id, node);
    let (holder_id, mut holder) = limit_holder(store, id)?;
    holder.value = holder.value.saturating_add(amount);
    store.set_node(holder_id, holder);
    Ok(amount)
}

/// Locks `amount` of the gas available to `id` in `id` (rent).
pub fn lock(store: &mut impl GasStore, id: GasNodeId, amount: u64) -> Result<()> {
    set_aside(store, id, amount, Held::Lock)
}

/// Unlocks everything `id` locked; returns how much.
pub fn unlock_all(store: &mut impl GasStore, id: GasNodeId) -> Result<u64> {
    release_held(store, id, Held::Lock)
}

/// Moves `amount` of the gas available to `id` into its system reservation.
pub fn system_reserve(store: &mut impl GasStore, id: GasNodeId, amount: u64) -> Result<()> {
    set_aside(store, id, amount, Held::SystemReserve)
}

/// Returns `id`'s system reservation to its gas; returns how much.
pub fn system_unreserve(store: &mut impl GasStore, id: GasNodeId) -> Result<u64> {
    release_held(store, id, Held::SystemReserve)
}

/// `id`'s message is done: its gas goes to its nearest living ancestor with value or back to
/// the payer, and it is removed once no child needs it (and so, in turn, its consumed
/// ancestors). Locks and system reservations must have been released first.
pub fn consume(store: &mut impl GasStore, id: GasNodeId) -> Result<()> {
    let mut node = get(store, id)?;
    if node.lock != 0 || node.system_reserve != 0 {
        return Err(GasTreeError::Forbidden);
    }
    if node.consumed {
        return Err(GasTreeError::Forbidden);
    }
    node.consumed = true;
    store.set_node(id, node);
    let mut current = id;
    for _ in 0..1024 {
        let mut node = get(store, current)?;
        if !node.consumed {
            return Ok(());
        }
        // Value nobody draws on leaves the node now.
        if node.has_value() && node.unspec_refs == 0 && node.value > 0 {
            let value = core::mem::take(&mut node.value);
            store.set_node(current, node.clone());
            release(store, &node, value)?;
            node = get(store, current)?;
        }
        if node.refs > 0 {
            return Ok(());
        }
        store.remove_node(current);
        let mut tree = store.tree(node.root).ok_or(GasTreeError::TreeNotFound)?;
        tree.nodes = tree.nodes.saturating_sub(1);
        if tree.nodes == 0 {
            store.remove_tree(node.root);
        } else {
            store.set_tree(node.root, tree);
        }
        let Some(parent) = node.parent else {
            return Ok(());
        };
        let mut parent_node = get(store, parent)?;
        parent_node.refs = parent_node.refs.saturating_sub(1);
        if node.kind == GasNodeKind::UnspecifiedLocal {
            parent_node.unspec_refs = parent_node.unspec_refs.saturating_sub(1);
        }
        store.set_node(parent, parent_node);
        current = parent;
    }
    Ok(())
}

/// Gives `value` leaving `node` to its nearest living ancestor with value, or to the payer.
fn release(store: &mut impl GasStore, node: &GasNode, value: u64) -> Result<()> {
    let mut next = node.parent;
    for _ in 0..1024 {
        let Some(id) = next else { break };
        let mut ancestor = get(store, id)?;
        if !ancestor.consumed && ancestor.has_value() {
            ancestor.value = ancestor.value.saturating_add(value);
            store.set_node(id, ancestor);
            return Ok(());
        }
        next = ancestor.parent;
    }
    let mut tree = store.tree(node.root).ok_or(GasTreeError::TreeNotFound)?;
    tree.refunded = tree.refunded.saturating_add(value);
    let payer = tree.payer;
    store.set_tree(node.root, tree);
    store.refund(payer, value);
    Ok(())
}

/// How long something held for rent (a waiting message, a mailboxed message, a stashed
/// dispatch, a reservation) may stay, and what it locks: Gear's `HoldBound`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct HoldBound {
    /// Rent per block.
    pub cost: u64,
    /// Block when it is removed (its task's block).
    pub expected: u32,
    /// The block it was made in.
    pub now: u32,
    /// Blocks paid beyond `expected` (Gear's `ReserveThreshold`).
    pub reserve_for: u32,
}

impl HoldBound {
    /// Held for `duration` blocks from `now`.
    pub fn duration(cost: u64, now: u32, duration: u32, reserve_for: u32) -> Self {
        Self {
            cost,
            expected: now.saturating_add(duration),
            now,
            reserve_for,
        }
    }

    /// Held as long as `gas` pays.
    pub fn maximum_for(cost: u64, now: u32, gas: u64, reserve_for: u32) -> Self {
        let blocks = u32::try_from(gas / cost.max(1)).unwrap_or(u32::MAX);
        let deadline = now.saturating_add(blocks);
        Self {
            cost,
            expected: deadline.saturating_sub(reserve_for).max(now),
            now,
            reserve_for,
        }
    }

    /// The shorter of two bounds.
    pub fn min(self, other: Self) -> Self {
        if other.expected < self.expected {
            other
        } else {
            self
        }
    }

    /// Gas locked for it: rent from now to the deadline (`expected + reserve_for`).
    pub fn lock_amount(&self) -> u64 {
        let blocks = self
            .expected
            .saturating_add(self.reserve_for)
            .saturating_sub(self.now);
        u64::from(blocks).saturating_mul(self.cost)
    }
}

/// Rent burned when something held from `start` (planned until `finish`) leaves at `now`:
/// the blocks held, up to the deadline, at `cost`, never more than what was `prepaid`.
pub fn hold_charge(
    cost: u64,
    start: u32,
    finish: u32,
    now: u32,
    reserve_for: u32,
    prepaid: u64,
) -> u64 {
    let paid_until = now.min(finish.saturating_add(reserve_for));
    u64::from(paid_until.saturating_sub(start))
        .saturating_mul(cost)
        .min(prepaid)
}

#[cfg(test)]
mod tests {
    use super::*;

    type Store = MemoryGasStore;

    fn id(n: u8) -> MessageId {
        MessageId::from([n; 32])
    }

    fn node(n: u8) -> GasNodeId {
        id(n).into()
    }

    /// Every tree's account matches what its nodes hold.
    fn balanced(store: &Store) {
        for (root, tree) in &store.trees {
            let held: u64 = store
                .nodes
                .values()
                .filter(|n| n.root == *root)
                .map(GasNode::held)
                .sum();
            assert_eq!(held, tree.held(), "tree {root:?}");
        }
        for tree in store.ended.values() {
            assert_eq!(tree.bought, tree.burned + tree.refunded);
        }
    }

    #[test]
    fn shared_gas_stays_while_a_child_uses_it() {
        let mut s = Store::default();
        create(&mut s, ActorId::zero(), id(1), 1_000, 0).unwrap();
        split(&mut s, node(1), id(2)).unwrap();
        assert_eq!(get_limit(&s, node(2)), Ok(1_000));
        spend(&mut s, node(2), 100).unwrap();
        consume(&mut s, node(1)).unwrap();
        // The root is consumed but its child still draws on it.
        assert_eq!(get_limit(&s, node(2)), Ok(900));
        assert_eq!(s.refunded.values().sum::<u64>(), 0);
        consume(&mut s, node(2)).unwrap();
        assert_eq!(s.refunded.values().sum::<u64>(), 900);
        assert!(s.nodes.is_empty() && s.trees.is_empty());
        balanced(&s);
    }

    #[test]
    fn a_child_s_rest_returns_to_its_living_parent() {
        let mut s = Store::default();
        create(&mut s, ActorId::zero(), id(1), 1_000, 0).unwrap();
        split_with_value(&mut s, node(1), id(2), 300).unwrap();
        assert_eq!(get_limit(&s, node(1)), Ok(700));
        spend(&mut s, node(2), 50).unwrap();
        consume(&mut s, node(2)).unwrap();
        assert_eq!(get_limit(&s, node(1)), Ok(950));
        balanced(&s);
        consume(&mut s, node(1)).unwrap();
        assert_eq!(s.refunded.values().sum::<u64>(), 950);
        balanced(&s);
    }

    #[test]
    fn locked_and_cut_gas_keeps_the_tree_alive() {
        let mut s = Store::default();
        create(&mut s, ActorId::zero(), id(1), 1_000, 0).unwrap();
        cut(&mut s, node(1), id(2), 300).unwrap();
        lock(&mut s, node(2), 300).unwrap();
        assert_eq!(consume(&mut s, node(2)), Err(GasTreeError::Forbidden));
        consume(&mut s, node(1)).unwrap();
        assert_eq!(s.refunded.values().sum::<u64>(), 700);
        assert_eq!(s.trees.len(), 1, "the cut node keeps the tree");
        assert_eq!(unlock_all(&mut s, node(2)), Ok(300));
        spend(&mut s, node(2), 100).unwrap();
        consume(&mut s, node(2)).unwrap();
        assert_eq!(s.refunded.values().sum::<u64>(), 900);
        let tree = &s.ended[&id(1)];
        assert_eq!((tree.burned, tree.refunded), (100, 900));
        balanced(&s);
    }

    #[test]
    fn reservations_deposits_and_system_reserves() {
        let mut s = Store::default();
        let rid = ReservationId::from([9; 32]);
        create(&mut s, ActorId::zero(), id(1), 1_000, 0).unwrap();
        reserve(&mut s, node(1), rid, 400).unwrap();
        create_deposit(&mut s, node(1), id(3), 100).unwrap();
        assert!(is_deposit(&s, id(3)));
        system_reserve(&mut s, node(1), 200).unwrap();
        assert_eq!(get_limit(&s, node(1)), Ok(300));
        assert_eq!(consume(&mut s, node(1)), Err(GasTreeError::Forbidden));
        assert_eq!(system_unreserve(&mut s, node(1)), Ok(200));
        // A message sent from the reservation shares its gas.
        split(&mut s, rid.into(), id(4)).unwrap();
        assert_eq!(get_limit(&s, node(4)), Ok(400));
        assert_eq!(
            split_with_value(&mut s, node(1), id(5), 10_000),
            Err(GasTreeError::InsufficientGas)
        );
        for n in [node(1), rid.into(), node(3), node(4)] {
            consume(&mut s, n).unwrap();
            balanced(&s);
        }
        assert!(s.nodes.is_empty());
        assert_eq!(s.refunded.values().sum::<u64>(), 1_000);
        balanced(&s);
    }

    #[test]
    fn hold_bounds_follow_gear() {
        // 3000 gas at 100 per block: 30 blocks, 1 of which is the reserve: expected at +29.
        let hold = HoldBound::maximum_for(100, 10, 3_000, 1);
        assert_eq!(hold.expected, 39);
        assert_eq!(hold.lock_amount(), 3_000);
        let short = HoldBound::duration(100, 10, 5, 1);
        assert_eq!((short.expected, short.lock_amount()), (15, 600));
        assert_eq!(hold.min(short), short);
        // Leaving after 3 blocks burns 3 blocks; leaving late burns up to the deadline.
        assert_eq!(hold_charge(100, 10, 15, 13, 1, 600), 300);
        assert_eq!(hold_charge(100, 10, 15, 40, 1, 600), 600);
    }
}
