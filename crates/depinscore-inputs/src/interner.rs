//! Addresses → dense `u32` ids (0 = none), in order of first appearance.

use std::collections::HashMap;

/// Ids are handed out in order; the addresses behind them are kept until taken
/// ([`take_keys`](Interner::take_keys)), so a follower hands each one to the engine once.
#[derive(Debug)]
pub struct Interner {
    ids: HashMap<Box<str>, u32>,
    /// Addresses of ids `len - pending.len() ..`, not yet taken.
    pending: Vec<String>,
    len: usize,
}

impl Default for Interner {
    fn default() -> Self {
        Interner { ids: HashMap::new(), pending: vec![String::new()], len: 1 }
    }
}

impl Interner {
    pub fn id(&mut self, key: &str) -> u32 {
        if key.is_empty() {
            return 0;
        }
        if let Some(id) = self.ids.get(key) {
            return *id;
        }
        let id = self.len as u32;
        self.ids.insert(key.into(), id);
        self.pending.push(key.to_string());
        self.len += 1;
        id
    }

    /// The id of a key seen before (None otherwise).
    pub fn get(&self, key: &str) -> Option<u32> {
        if key.is_empty() { Some(0) } else { self.ids.get(key).copied() }
    }

    /// How many ids there are (0 included).
    pub fn len(&self) -> usize {
        self.len
    }

    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// The addresses of the ids handed out since the last take (all of them the first time).
    pub fn take_keys(&mut self) -> Vec<String> {
        std::mem::take(&mut self.pending)
    }

    /// Every address, by id (when none was taken before).
    pub fn into_keys(self) -> Vec<String> {
        self.pending
    }
}

/// Ids for addresses beside an interner's, numbered after its own, without adding to it: the
/// registry's, markets' and stakes' addresses that no flow or event names. They are numbered
/// afresh on every load, so the chain's ids stay the same as it grows.
pub struct Overlay<'a> {
    base: &'a Interner,
    ids: HashMap<String, u32>,
    keys: Vec<String>,
}

impl<'a> Overlay<'a> {
    pub fn new(base: &'a Interner) -> Overlay<'a> {
        Overlay { base, ids: HashMap::new(), keys: Vec::new() }
    }

    pub fn id(&mut self, key: &str) -> u32 {
        if let Some(id) = self.base.get(key) {
            return id;
        }
        if let Some(id) = self.ids.get(key) {
            return *id;
        }
        let id = (self.base.len() + self.keys.len()) as u32;
        self.ids.insert(key.to_string(), id);
        self.keys.push(key.to_string());
        id
    }

    /// The addresses of the overlay's ids, in order.
    pub fn into_keys(self) -> Vec<String> {
        self.keys
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_dense_in_order_of_first_appearance_and_empty_is_zero() {
        let mut i = Interner::default();
        assert_eq!([i.id("b"), i.id("a"), i.id("b"), i.id(""), i.id("c")], [1, 2, 1, 0, 3]);
        assert_eq!(i.get("a"), Some(2));
        assert_eq!(i.get("zz"), None);
        assert_eq!(i.len(), 4);
        assert_eq!(i.into_keys(), ["", "b", "a", "c"]);
    }

    #[test]
    fn taken_keys_are_handed_out_once_and_an_overlay_numbers_after_the_interner() {
        let mut i = Interner::default();
        i.id("a");
        assert_eq!(i.take_keys(), ["", "a"]);
        i.id("b");
        i.id("a");
        assert_eq!(i.take_keys(), ["b"]);
        let mut o = Overlay::new(&i);
        assert_eq!([o.id("a"), o.id("x"), o.id("y"), o.id("x"), o.id("")], [1, 3, 4, 3, 0]);
        assert_eq!(o.into_keys(), ["x", "y"]);
        assert_eq!(i.get("x"), None);
    }
}
