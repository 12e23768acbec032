package logic

import (
	"cmp"
	"slices"
	"time"
)

// This file is RULES.md "Classification (computed once ...)": distant versus
// regional disease, the lesion count, OMBC / polymetastatic / extent
// unknown, de novo disease, prognostic context and the imaging history.

// Class is the metastatic classification of RULES.md.
type Class int

// Class values.
const (
	ClassNone           Class = iota // no metastatic disease recorded
	ClassOMBC                        // 1 to 5 distant lesions (ESTRO-ASTRO 2020)
	ClassPolymetastatic              // more than 5 distant lesions
	ClassExtentUnknown               // M1 / stage IV, or distant sites coded without a count
)

// String returns the classification's name as the rule book writes it.
func (c Class) String() string {
	switch c {
	case ClassOMBC:
		return "OMBC"
	case ClassPolymetastatic:
		return "polymetastatic"
	case ClassExtentUnknown:
		return "metastatic-extent-unknown"
	default:
		return "none"
	}
}

// Outlook is how a prognostic factor's value leans. It is context for the
// tumour board, never a gate (RULES.md Classification; EVIDENCE.md §0.4).
type Outlook int

// Outlook values.
const (
	OutlookNone Outlook = iota // unknown, or a value the seed does not grade
	OutlookFavourable
	OutlookUnfavourable
)

// String returns the outlook in words.
func (o Outlook) String() string {
	switch o {
	case OutlookFavourable:
		return "favourable"
	case OutlookUnfavourable:
		return "less favourable"
	default:
		return "not graded"
	}
}

// Factor is one prognostic factor with its value and the facts it rests on.
// Name and Value are plain text; renderers escape them.
type Factor struct {
	Name    string
	Value   string
	Outlook Outlook
	Sources []Source
}

// Fact is one statement the classification used, with its provenance.
// Text is plain text; renderers escape it.
type Fact struct {
	Text   string
	Source Source
}

// Assessment is the classification of one patient at one time (RULES.md
// Classification). Classify computes it once; every rule reads it.
type Assessment struct {
	InScope          bool   // a valid breast-cancer primary and not deceased
	OutOfScopeReason string // "no valid breast-cancer primary" or "deceased"
	Male             bool   // administrative sex male or a male-breast primary code

	Primaries    []Primary // the primaries that count (RULES.md Scope)
	PrimaryOnset time.Time // earliest onset of a counted primary; zero if unknown

	Metastatic     bool
	Class          Class
	DistantLesions int    // distinct distant Tumor BodyStructures; -1 = unknown
	DistantSites   []Site // distinct distant sites, in Site order

	Distant           []Metastasis // secondary Conditions at distant sites
	Lesions           []Lesion     // distinct distant lesions counted
	Regional          []Metastasis // regional (N) or locoregional disease, not counted
	RegionalUnclear   []Metastasis // nodal or breast/chest-wall sites whose side cannot be compared
	LesionsUnclear    []Lesion     // lesions that could not be placed
	SitesWithoutCount []Site       // distant sites with no Tumor BodyStructure
	StageIV           []Fact       // M1 / stage IV / history-of-metastasis facts

	BoneMetastasis  bool
	BrainMetastasis bool
	BoneOnly        bool
	DeNovo          bool

	Prognostic []Factor
	Imaging    []Imaging // newest first
	Facts      []Fact    // everything above, as statements with references
}

// Classify computes the Assessment for p at now (RULES.md Classification).
func Classify(p Patient, now time.Time, cfg Config) Assessment {
	return classify(p, now, cfg, hrStatus(p))
}

// classify is Classify with the hormone-receptor status already derived,
// which NewCase keeps for the clauses too.
func classify(p Patient, now time.Time, cfg Config, hr status) Assessment {
	a := Assessment{DistantLesions: -1}
	for _, pr := range p.Primaries {
		if pr.Counts() {
			a.Primaries = append(a.Primaries, pr)
			a.Male = a.Male || pr.Male
			a.Facts = append(a.Facts, Fact{"breast-cancer primary, " + pr.Laterality.String() + ": " + codeText(pr.Code, "primary breast cancer"), pr.Source})
		} else {
			a.Facts = append(a.Facts, Fact{"not counted (" + pr.Clinical.String() + ", " + pr.Verification.String() + "): " + codeText(pr.Code, "primary breast cancer"), pr.Source})
		}
	}
	a.Male = a.Male || p.Sex == SexMale
	switch {
	case len(a.Primaries) == 0:
		a.OutOfScopeReason = "no valid breast-cancer primary"
	case p.Deceased || !p.DeceasedDate.IsZero():
		a.OutOfScopeReason = "deceased"
	default:
		a.InScope = true
	}
	for _, pr := range a.Primaries {
		if s := pr.start(); !s.IsZero() && (a.PrimaryOnset.IsZero() || s.Before(a.PrimaryOnset)) {
			a.PrimaryOnset = s
		}
	}
	sides := primarySides(a.Primaries)

	a.placeMetastases(p, sides)
	a.placeLesions(p, sides)
	a.collectStageIV(p)
	a.count()
	a.deNovo(p, cfg)
	a.Imaging = newestFirst(p.Imaging)
	a.Prognostic = prognostic(p, &a, now, hr)
	return a
}

// codeText renders a code's display or a fallback, as plain text.
func codeText(c Code, fallback string) string {
	if c.Display != "" {
		return c.Display
	}
	return fallback
}

// primarySides returns the sides that hold a counted primary.
func primarySides(prs []Primary) map[Laterality]bool {
	sides := map[Laterality]bool{}
	for _, pr := range prs {
		switch pr.Laterality {
		case Left, Right:
			sides[pr.Laterality] = true
		case Bilateral:
			sides[Left], sides[Right] = true, true
		}
	}
	return sides
}

// placement says where a site stands relative to the primary.
type placement int

const (
	distant placement = iota
	regional
	unclear
)

// place decides whether disease at site on side lat is distant. Ipsilateral
// axillary, supraclavicular, infraclavicular and internal-mammary nodes are
// regional (N) disease (RULES.md Classification); the breast and chest wall
// on the primary's side are locoregional. Contralateral ones are distant (as
// LARA counted them, CODES.md §2.3). When either side is unknown the site is
// unclear: it is not counted as distant and data-quality says so.
func place(site Site, lat Laterality, sides map[Laterality]bool) placement {
	switch site {
	case SiteUnknown:
		return unclear
	case SiteAxillaryNode, SiteSupraclavicular, SiteInfraclavicular, SiteInternalMammary, SiteBreast, SiteChestWall:
	default:
		return distant
	}
	if len(sides) == 0 {
		return unclear
	}
	switch lat {
	case Left, Right:
		if sides[lat] {
			return regional
		}
		return distant
	case Bilateral:
		if sides[Left] && sides[Right] {
			return regional
		}
		return distant // one side is contralateral
	default:
		return unclear
	}
}

// placeMetastases sorts the counted secondary Conditions into distant,
// regional and unclear.
func (a *Assessment) placeMetastases(p Patient, sides map[Laterality]bool) {
	for _, m := range p.Metastases {
		name := m.Site.String()
		if m.Laterality != LateralityUnknown {
			name = m.Laterality.String() + " " + name
		}
		if !m.Counts() {
			a.Facts = append(a.Facts, Fact{"metastasis not counted (" + m.Clinical.String() + ", " + m.Verification.String() + "): " + name, m.Source})
			continue
		}
		switch place(m.Site, m.Laterality, sides) {
		case distant:
			a.Distant = append(a.Distant, m)
			a.Facts = append(a.Facts, Fact{"distant metastasis: " + name, m.Source})
		case regional:
			a.Regional = append(a.Regional, m)
			a.Facts = append(a.Facts, Fact{"regional disease, not a distant metastasis: " + name + " on the primary's side", m.Source})
		default:
			a.RegionalUnclear = append(a.RegionalUnclear, m)
			a.Facts = append(a.Facts, Fact{"regional or distant unclear (side of site or primary unknown), not counted: " + name, m.Source})
		}
	}
}

// placeLesions counts distinct distant Tumor BodyStructures. Breast lesions
// are the primary (CODES.md §2.3: count non-breast locations); the same
// identifier seen twice is one lesion.
func (a *Assessment) placeLesions(p Patient, sides map[Laterality]bool) {
	// A lesion is known by its identifier, else its reference, else its
	// position; the kind is part of the key so an identifier never equals a
	// reference.
	type lesionKey struct {
		kind  int // 0 identifier, 1 reference, 2 position
		value string
		index int
	}
	seen := make(map[lesionKey]bool, len(p.Lesions))
	for i, l := range p.Lesions {
		if !l.Active || l.Site == SiteBreast {
			continue
		}
		key := lesionKey{kind: 0, value: l.Identifier}
		if l.Identifier == "" {
			key = lesionKey{kind: 1, value: l.Ref}
			if l.Ref == "" {
				key = lesionKey{kind: 2, index: i}
			}
		}
		if seen[key] {
			continue
		}
		seen[key] = true
		switch place(l.Site, l.Laterality, sides) {
		case distant:
			a.Lesions = append(a.Lesions, l)
			a.Facts = append(a.Facts, Fact{"distant lesion (Tumor BodyStructure): " + l.Site.String(), l.Source})
		case unclear:
			a.LesionsUnclear = append(a.LesionsUnclear, l)
			a.Facts = append(a.Facts, Fact{"lesion not placed (site or side unknown), not counted: " + l.Site.String(), l.Source})
		}
	}
}

// collectStageIV collects M1, stage IV and History of Metastatic Cancer facts. The
// newest history observation wins, so a later negation cancels an earlier
// "present".
func (a *Assessment) collectStageIV(p Patient) {
	for _, s := range p.Staging {
		if stageIV(s) {
			v := s.Value
			if s.Kind == StagingGroup {
				v = "stage IV"
			}
			if s.Sub != "" && s.Sub != s.Value {
				v += " (" + s.Sub + ")"
			}
			a.StageIV = append(a.StageIV, Fact{v + " recorded", s.Source})
		}
	}
	var newest *MetastasisHistory
	for i := range p.MetastasisHistory {
		h := &p.MetastasisHistory[i]
		if newest == nil || !h.Date.Before(newest.Date) {
			newest = h
		}
	}
	if newest != nil && newest.Present {
		a.StageIV = append(a.StageIV, Fact{"history of metastatic cancer recorded", newest.Source})
	}
	a.Facts = append(a.Facts, a.StageIV...)
}

// stageIV reports whether a staging fact records distant metastasis.
func stageIV(s Staging) bool {
	return s.Kind == StagingM && s.Value == "M1" || s.Kind == StagingGroup && s.Value == "IV"
}

// count sets the distant sites, the lesion count and the class. The count
// comes only from Tumor BodyStructures, and only when every distant site has
// at least one: a site without one could hold any number of lesions
// (RULES.md: "Never guess a count").
func (a *Assessment) count() {
	sites := map[Site]bool{}
	for _, m := range a.Distant {
		sites[m.Site] = true
	}
	lesionSites := map[Site]bool{}
	for _, l := range a.Lesions {
		sites[l.Site] = true
		lesionSites[l.Site] = true
	}
	for s := range sites {
		a.DistantSites = append(a.DistantSites, s)
	}
	slices.Sort(a.DistantSites)
	for _, s := range a.DistantSites {
		if !lesionSites[s] {
			a.SitesWithoutCount = append(a.SitesWithoutCount, s)
		}
	}
	a.BoneMetastasis = sites[SiteBone]
	a.BrainMetastasis = sites[SiteBrain]
	a.BoneOnly = len(a.DistantSites) == 1 && a.BoneMetastasis
	a.Metastatic = len(a.DistantSites) > 0 || len(a.StageIV) > 0
	if len(a.Lesions) > 0 && len(a.SitesWithoutCount) == 0 {
		a.DistantLesions = len(a.Lesions)
	}
	switch {
	case !a.Metastatic:
		a.Class = ClassNone
	case a.DistantLesions >= 1 && a.DistantLesions <= 5:
		a.Class = ClassOMBC
	case a.DistantLesions > 5:
		a.Class = ClassPolymetastatic
	default:
		a.Class = ClassExtentUnknown
	}
}

// deNovo sets DeNovo: M1 at diagnosis (an M1 / stage IV fact dated within
// the window of the primary's onset) or a first distant metastasis within
// the window of it (RULES.md Classification).
func (a *Assessment) deNovo(p Patient, cfg Config) {
	if a.PrimaryOnset.IsZero() {
		return
	}
	near := func(t time.Time) bool {
		if t.IsZero() {
			return false
		}
		d := t.Sub(a.PrimaryOnset)
		return d <= cfg.DeNovoWindow && d >= -cfg.DeNovoWindow
	}
	for _, s := range p.Staging {
		if stageIV(s) && near(s.Date) {
			a.DeNovo = true
		}
	}
	if first := a.firstDistant(); near(first) {
		a.DeNovo = true
	}
}

// firstDistant returns the earliest known onset of distant disease.
func (a *Assessment) firstDistant() time.Time {
	var first time.Time
	consider := func(t time.Time) {
		if !t.IsZero() && (first.IsZero() || t.Before(first)) {
			first = t
		}
	}
	for _, m := range a.Distant {
		consider(m.start())
	}
	for _, l := range a.Lesions {
		consider(l.Date)
	}
	return first
}

// newestFirst returns a copy of the imaging history, newest first; events
// without a date go last.
func newestFirst(in []Imaging) []Imaging {
	out := slices.Clone(in)
	slices.SortStableFunc(out, func(x, y Imaging) int {
		switch {
		case x.Date.IsZero() && y.Date.IsZero():
			return 0
		case x.Date.IsZero():
			return 1
		case y.Date.IsZero():
			return -1
		}
		return cmp.Compare(y.Date.UnixNano(), x.Date.UnixNano())
	})
	return out
}
