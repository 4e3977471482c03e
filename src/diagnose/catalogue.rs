//! The shape of a catalogue: [`Row`], the `catalogue!` macro that declares a scheme's
//! table and its [`Mistake`] constants from one list, [`Mistake`] itself (a scheme and a
//! row index), the [`Step`] a row changes, and the candidate sets the search tries.

use super::{streaming, v2, v4};
use std::fmt;
use std::mem::discriminant;

pub use crate::scheme::SchemeId;

// The catalogue side of a scheme (an inherent impl beside its catalogues: `scheme` is a
// layer below and knows nothing of mistakes).
impl SchemeId {
    /// The scheme's mistakes, in catalogue (search) order.
    pub fn mistakes(self) -> &'static [Mistake] {
        match self {
            SchemeId::V2Query => &v2::ALL,
            SchemeId::V4 => &v4::ALL,
            SchemeId::V4Streaming => &streaming::ALL,
        }
    }

    /// The mistake of this scheme with this id.
    pub fn mistake(self, id: &str) -> Option<Mistake> {
        self.mistakes().iter().copied().find(|m| m.id() == id)
    }

    /// Whether the scheme signs a canonical request (and a diagnosis shows it).
    pub fn has_canonical_request(self) -> bool {
        self == SchemeId::V4
    }

    /// How texts name the scheme's mistakes ("No known SigV4 mistake …"); `None` for
    /// SigV2, the first catalogue, whose texts say just "mistake".
    pub(crate) fn mistake_label(self) -> Option<&'static str> {
        match self {
            SchemeId::V2Query => None,
            SchemeId::V4 => Some("SigV4"),
            SchemeId::V4Streaming => Some("chunked-upload"),
        }
    }
}

/// The step of a scheme's process a mistake changes, with the spec's name for it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Step {
    name: &'static str,
    spec_name: &'static str,
}

impl Step {
    pub(crate) const fn new(name: &'static str, spec_name: &'static str) -> Self {
        Self { name, spec_name }
    }

    /// A short kebab-case name (`encoding`, `canonical-headers`).
    pub fn name(self) -> &'static str {
        self.name
    }

    /// The spec's name for the step ("Task 1, canonical request: CanonicalURI").
    pub fn spec_name(self) -> &'static str {
        self.spec_name
    }
}

/// One row of a scheme's catalogue: one mistake.
#[derive(Debug)]
pub(crate) struct Row<K: 'static> {
    /// The mistake this row is (its scheme and index).
    pub(crate) mistake: Mistake,
    /// The stable kebab-case id (headers, reports, scenario files, `--mistake`).
    pub(crate) id: &'static str,
    /// The step it changes.
    pub(crate) step: Step,
    /// The knob of the scheme's recipe that reproduces it. Two rows with the same knob
    /// (the same enum variant, whatever its value) never combine.
    pub(crate) knob: K,
    /// Rows it contradicts although their knobs differ (checked both ways).
    pub(crate) excludes: &'static [Mistake],
    /// One sentence for a human.
    pub(crate) describe: &'static str,
}

/// A signature scheme's catalogue, for the search.
pub(crate) trait Scheme {
    /// What a row turns in the scheme's recipe.
    type Knob: Copy + 'static;
    /// The catalogue: one row per mistake, in search order.
    fn catalogue() -> &'static [Row<Self::Knob>];
}

/// Declares a scheme's catalogue from one list of rows: a [`Mistake`] constant per row
/// (named as the row), `ALL` (them, in row order) and `CATALOGUE` (the table). Adding a
/// row is the only way to add a mistake.
///
/// ```text
/// catalogue! {
///     scheme: SchemeId::V2Query, knob: Knob;
///     /// Space encoded as `+` (form encoding) instead of `%20`.
///     SPACE_AS_PLUS = "space-as-plus", ENCODING, Knob::SpaceAsPlus, excludes [],
///         "spaces were encoded as '+' instead of '%20'";
/// }
/// ```
macro_rules! catalogue {
    (
        scheme: $scheme:expr, knob: $knob:ty;
        $(
            $(#[$attr:meta])*
            $name:ident = $id:literal, $step:expr, $k:expr, excludes [$($ex:ident),*], $describe:literal;
        )*
    ) => {
        /// Row numbers, in declaration order.
        #[allow(non_camel_case_types, clippy::upper_case_acronyms, dead_code)]
        #[repr(u8)]
        enum RowIndex { $($name),* }

        $(
            $(#[$attr])*
            pub const $name: $crate::diagnose::Mistake = $crate::diagnose::Mistake::new($scheme, RowIndex::$name as u8);
        )*

        /// Every mistake of the catalogue, in search order.
        pub const ALL: [$crate::diagnose::Mistake; [$(RowIndex::$name),*].len()] = [$($name),*];

        const _: () = assert!(ALL.len() <= 256, "a catalogue has at most 256 rows");

        /// The catalogue: one row per mistake, in the order of [`ALL`].
        pub(crate) static CATALOGUE: [$crate::diagnose::Row<$knob>; ALL.len()] = [$(
            $crate::diagnose::Row {
                mistake: $name,
                id: $id,
                step: $step,
                knob: $k,
                excludes: &[$($ex),*],
                describe: $describe,
            }
        ),*];
    };
}

/// A signer mistake of one scheme's catalogue: the scheme and the index of its row. The
/// constants are in the scheme modules ([`v2::SPACE_AS_PLUS`], [`v4::WRONG_REGION`]);
/// mistakes order as their catalogue (search) order, SigV2's before SigV4's.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Mistake {
    scheme: SchemeId,
    index: u8,
}

/// The scheme-independent part of a row.
struct Entry {
    id: &'static str,
    step: Step,
    describe: &'static str,
}

fn entry<K>(row: &Row<K>) -> Entry {
    Entry { id: row.id, step: row.step, describe: row.describe }
}

impl Mistake {
    pub(crate) const fn new(scheme: SchemeId, index: u8) -> Self {
        Self { scheme, index }
    }

    fn entry(self) -> Entry {
        let i = usize::from(self.index);
        match self.scheme {
            SchemeId::V2Query => entry(&v2::CATALOGUE[i]),
            SchemeId::V4 => entry(&v4::CATALOGUE[i]),
            SchemeId::V4Streaming => entry(&streaming::CATALOGUE[i]),
        }
    }

    /// The row of its scheme's catalogue.
    pub(crate) fn index(self) -> usize {
        usize::from(self.index)
    }

    /// The scheme whose catalogue this mistake is in.
    pub fn scheme(self) -> SchemeId {
        self.scheme
    }

    /// A stable kebab-case id (used in headers, reports and scenario files); SigV4 ids
    /// start with `v4-`, so ids never collide across schemes.
    pub fn id(self) -> &'static str {
        self.entry().id
    }

    /// One sentence for a human.
    pub fn describe(self) -> &'static str {
        self.entry().describe
    }

    /// The step this mistake changes.
    pub fn step(self) -> Step {
        self.entry().step
    }

    /// The mistake with this id, in any catalogue.
    ///
    /// ```
    /// use amzsig::diagnose::{v2, Mistake, SchemeId};
    ///
    /// let m = Mistake::from_id("space-as-plus").unwrap();
    /// assert_eq!((m, m.scheme()), (v2::SPACE_AS_PLUS, SchemeId::V2Query));
    /// assert_eq!(Mistake::from_id("v4-wrong-region").map(Mistake::scheme), Some(SchemeId::V4));
    /// assert_eq!(Mistake::from_id("no-such-mistake"), None);
    /// ```
    pub fn from_id(id: &str) -> Option<Mistake> {
        Mistake::all().find(|m| m.id() == id)
    }

    /// Every mistake of every catalogue.
    pub fn all() -> impl Iterator<Item = Mistake> {
        SchemeId::ALL.into_iter().flat_map(|s| s.mistakes().iter().copied())
    }

    /// Whether two mistakes can happen together: same scheme, different knobs, and
    /// neither row excludes the other.
    pub fn combines_with(self, other: Mistake) -> bool {
        if self.scheme != other.scheme || self == other {
            return false;
        }
        let (a, b) = (usize::from(self.index), usize::from(other.index));
        match self.scheme {
            SchemeId::V2Query => rows_combine(&v2::CATALOGUE, a, b),
            SchemeId::V4 => rows_combine(&v4::CATALOGUE, a, b),
            SchemeId::V4Streaming => rows_combine(&streaming::CATALOGUE, a, b),
        }
    }
}

/// Whether rows `a` and `b` of one table combine (see [`Mistake::combines_with`]).
fn rows_combine<K>(rows: &[Row<K>], a: usize, b: usize) -> bool {
    a != b
        && discriminant(&rows[a].knob) != discriminant(&rows[b].knob)
        && !rows[a].excludes.contains(&rows[b].mistake)
        && !rows[b].excludes.contains(&rows[a].mistake)
}

impl fmt::Display for Mistake {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.id())
    }
}

impl fmt::Debug for Mistake {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.id())
    }
}

/// One or two row indices of one table.
#[derive(Debug, Clone, Copy)]
pub(crate) struct IndexSet {
    rows: [usize; 2],
    len: usize,
}

impl IndexSet {
    pub(crate) fn as_slice(&self) -> &[usize] {
        &self.rows[..self.len]
    }
}

/// Every single row of `rows`, then every compatible pair, in table order.
pub(crate) fn index_sets<K>(rows: &'static [Row<K>]) -> impl Iterator<Item = IndexSet> {
    let n = rows.len();
    let singles = (0..n).map(|i| IndexSet { rows: [i, i], len: 1 });
    let pairs = (0..n)
        .flat_map(move |a| (a + 1..n).map(move |b| (a, b)))
        .filter(move |&(a, b)| rows_combine(rows, a, b))
        .map(|(a, b)| IndexSet { rows: [a, b], len: 2 });
    singles.chain(pairs)
}

/// The sets of mistakes the search tries for `scheme`: every single mistake, then every
/// compatible pair, in catalogue order.
pub fn candidate_sets(scheme: SchemeId) -> Vec<Vec<Mistake>> {
    fn sets<K>(rows: &'static [Row<K>]) -> Vec<Vec<Mistake>> {
        index_sets(rows).map(|s| s.as_slice().iter().map(|&i| rows[i].mistake).collect()).collect()
    }
    match scheme {
        SchemeId::V2Query => sets(&v2::CATALOGUE),
        SchemeId::V4 => sets(&v4::CATALOGUE),
        SchemeId::V4Streaming => sets(&streaming::CATALOGUE),
    }
}
