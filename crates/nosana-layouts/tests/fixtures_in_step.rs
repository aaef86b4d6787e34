//! The fixture copies in `tests/fixtures` equal the reference material in `shared/` when a
//! checkout of it sits beside the repository (as in development and CI).

use std::path::{Path, PathBuf};

fn shared() -> Option<PathBuf> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/reference");
    root.is_dir().then_some(root)
}

#[test]
fn the_fixture_copies_equal_the_shared_reference_material() {
    let Some(shared) = shared() else {
        eprintln!("no shared/ beside the repository: nothing to compare");
        return;
    };
    let here = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures");
    let mut compared = 0;
    for (ours, theirs) in [("idl", "idl"), ("idl/upstream-nosana-kit", "idl/upstream-nosana-kit"), (".", "fixtures")] {
        for entry in std::fs::read_dir(here.join(ours)).unwrap() {
            let path = entry.unwrap().path();
            if path.extension().is_some_and(|e| e == "json") {
                let name = path.file_name().unwrap();
                let original = std::fs::read(shared.join(theirs).join(name)).expect("original exists");
                assert_eq!(std::fs::read(&path).unwrap(), original, "{} drifted from shared/", path.display());
                compared += 1;
            }
        }
    }
    assert_eq!(compared, 10);
}
