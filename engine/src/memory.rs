//! A program's persisted memory: 16 KiB Gear pages above the stack, plus its heap allocations.
//!
//! Only pages at or above the stack end (`__gear_stack_end`) are program state: the stack is
//! scratch space rebuilt by every dispatch. A page is stored only while it differs from its
//! pristine content (what instantiating the code produces: zeros or data segments), so an
//! untouched or restored page costs no storage and no proof size.

use alloc::{collections::BTreeMap, vec::Vec};
use codec::{Decode, Encode};
use scale_info::TypeInfo;

/// Size of a persisted page in bytes (Gear's `GearPage`, 16 KiB).
pub const PAGE_SIZE: u32 = 16 * 1024;
/// Size of a WASM page in bytes.
pub const WASM_PAGE_SIZE: u32 = 64 * 1024;
/// Persisted pages per WASM page.
pub const PAGES_PER_WASM_PAGE: u32 = WASM_PAGE_SIZE / PAGE_SIZE;

/// The content of one persisted page; always [`PAGE_SIZE`] bytes.
pub type PageData = Vec<u8>;

/// What execution needs of a program's memory: persisted pages and heap allocations.
#[derive(Clone, Debug, Default, PartialEq, Eq, Encode, Decode, TypeInfo)]
pub struct ProgramMemory {
    /// Persisted pages by Gear page number (byte offset / [`PAGE_SIZE`]).
    pub pages: BTreeMap<u32, PageData>,
    /// Heap allocations made with `alloc`, as inclusive intervals of WASM pages.
    pub allocations: Vec<(u32, u32)>,
}

/// Changes one execution made to a program's memory.
#[derive(Clone, Debug, Default, PartialEq, Eq, Encode, Decode, TypeInfo)]
pub struct MemoryChanges {
    /// Pages whose content changed: `Some(data)` to store, `None` when the page is back to its
    /// pristine content and its stored copy should be removed.
    pub pages: BTreeMap<u32, Option<PageData>>,
    /// The new allocations when they changed.
    pub allocations: Option<Vec<(u32, u32)>>,
}

impl MemoryChanges {
    /// Applies these changes to `memory`.
    pub fn apply(self, memory: &mut ProgramMemory) {
        for (page, data) in self.pages {
            match data {
                Some(data) => {
                    memory.pages.insert(page, data);
                }
                None => {
                    memory.pages.remove(&page);
                }
            }
        }
        if let Some(allocations) = self.allocations {
            memory.allocations = allocations;
        }
    }
}
