//! Addresses → dense `u32` ids (0 = none), in order of first appearance.

use std::collections::HashMap;

#[derive(Debug)]
pub struct Interner {
    ids: HashMap<Box<str>, u32>,
    keys: Vec<String>,
}

impl Default for Interner {
    fn default() -> Self {
        Interner { ids: HashMap::new(), keys: vec![String::new()] }
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
        let id = self.keys.len() as u32;
        self.ids.insert(key.into(), id);
        self.keys.push(key.to_string());
        id
    }

    /// The id of a key seen before (None otherwise).
    pub fn get(&self, key: &str) -> Option<u32> {
        if key.is_empty() { Some(0) } else { self.ids.get(key).copied() }
    }

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
        assert_eq!(i.into_keys(), ["", "b", "a", "c"]);
    }
}
