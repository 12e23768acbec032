package logic

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"
)

// This file holds the named clinical criteria the rule table is built from.
// Each one cites the facts it read (RULES.md "What the users will check":
// which facts fired a card, with their dates and FHIR resource ids).

// OMBC holds when the classification is oligometastatic: 1 to 5 distant
// lesions counted from Tumor BodyStructures (ESTRO-ASTRO 2020).
func OMBC() Criterion {
	return clause{
		text: "OMBC (1 to 5 distant lesions counted from Tumor BodyStructures)",
		met: func(c *Case) ([]string, bool) {
			a := &c.Assessment
			if a.Class != ClassOMBC {
				return []string{"classification: " + a.Class.String()}, false
			}
			if c.derived {
				// A copy, so a caller that edits the facts cannot change
				// the next rule's; the strings themselves are shared.
				return slices.Clone(c.ombcFacts), true
			}
			return ombcFacts(a), true
		},
		test: func(c *Case) bool { return c.Assessment.Class == ClassOMBC },
	}
}

// ombcFacts returns the facts an OMBC classification rests on: the count,
// the sites and each lesion. Nearly every rule starts with the OMBC clause,
// so NewCase renders them once per patient.
func ombcFacts(a *Assessment) []string {
	b := make([]string, 0, 1+len(a.Lesions))
	b = append(b, "classification: OMBC, "+strconv.Itoa(a.DistantLesions)+" distant lesion(s) in "+siteList(a.DistantSites))
	for _, l := range a.Lesions {
		b = append(b, "distant lesion: "+l.Site.String()+" "+cite(l.Source))
	}
	return b
}

// ExtentUnknown holds when metastatic disease is recorded but the lesion
// count or the sites cannot be determined (RULES.md "Metastatic, extent
// unknown").
func ExtentUnknown() Criterion {
	return clause{
		text: "metastatic disease recorded (M1 / stage IV, or distant sites) but lesion count or sites unknown",
		met: func(c *Case) ([]string, bool) {
			a := &c.Assessment
			if a.Class != ClassExtentUnknown {
				return []string{"classification: " + a.Class.String()}, false
			}
			b := []string{"classification: metastatic, extent unknown"}
			for _, f := range a.StageIV {
				b = append(b, Escape(f.Text)+" "+cite(f.Source))
			}
			for _, m := range a.Distant {
				b = append(b, "distant metastasis: "+m.Site.String()+" "+cite(m.Source))
			}
			if len(a.DistantSites) == 0 {
				b = append(b, "no distant site recorded")
			}
			if len(a.SitesWithoutCount) > 0 {
				b = append(b, "no Tumor BodyStructure (lesion) recorded for: "+siteList(a.SitesWithoutCount))
			}
			return b, true
		},
		test: func(c *Case) bool { return c.Assessment.Class == ClassExtentUnknown },
	}
}

// UnplacedDisease holds when a nodal, breast or chest-wall secondary, or a
// lesion, could not be called regional or distant because a side is unknown.
func UnplacedDisease() Criterion {
	return clause{
		text: "a node, breast or chest-wall secondary or a lesion cannot be called regional or distant (side unknown)",
		met: func(c *Case) ([]string, bool) {
			a := &c.Assessment
			var b []string
			for _, m := range a.RegionalUnclear {
				b = append(b, "regional or distant unclear: "+m.Site.String()+", "+m.Laterality.String()+" "+cite(m.Source)+"; primary side: "+primarySideText(a.Primaries))
			}
			for _, l := range a.LesionsUnclear {
				b = append(b, "lesion not placed: "+l.Site.String()+", "+l.Laterality.String()+" "+cite(l.Source))
			}
			if len(b) == 0 {
				return []string{"every recorded site could be placed"}, false
			}
			return b, true
		},
		test: func(c *Case) bool {
			return len(c.Assessment.RegionalUnclear) > 0 || len(c.Assessment.LesionsUnclear) > 0
		},
	}
}

// primarySideText renders the sides of the counted primaries.
func primarySideText(prs []Primary) string {
	var sides []string
	for _, p := range prs {
		sides = append(sides, p.Laterality.String())
	}
	slices.Sort(sides)
	return strings.Join(slices.Compact(sides), ", ")
}

// siteCriterion holds when a distant metastasis or lesion sits at site.
func siteCriterion(text string, site Site) Criterion {
	return clause{
		text: text,
		met: func(c *Case) ([]string, bool) {
			var b []string
			for _, m := range c.Assessment.Distant {
				if m.Site == site {
					b = append(b, site.String()+" metastasis: "+display(m.Code, "secondary cancer")+" "+cite(m.Source))
				}
			}
			for _, l := range c.Assessment.Lesions {
				if l.Site == site {
					b = append(b, site.String()+" lesion (Tumor BodyStructure) "+cite(l.Source))
				}
			}
			if len(b) == 0 {
				return []string{"no active " + site.String() + " metastasis recorded"}, false
			}
			return b, true
		},
		test: func(c *Case) bool {
			return slices.ContainsFunc(c.Assessment.Distant, func(m Metastasis) bool { return m.Site == site }) ||
				slices.ContainsFunc(c.Assessment.Lesions, func(l Lesion) bool { return l.Site == site })
		},
	}
}

// BrainMetastasis holds when an active brain/CNS metastasis or lesion is
// recorded.
func BrainMetastasis() Criterion {
	return siteCriterion("active brain/CNS metastasis", SiteBrain)
}

// BoneMetastasis holds when an active bone metastasis or lesion is recorded.
func BoneMetastasis() Criterion {
	return siteCriterion("active bone metastasis", SiteBone)
}

// BoneOnly holds when bone is the only distant site.
func BoneOnly() Criterion {
	return clause{
		text: "bone-only disease",
		met: func(c *Case) ([]string, bool) {
			a := &c.Assessment
			if !a.BoneOnly {
				return []string{"distant sites: " + orNone(siteList(a.DistantSites))}, false
			}
			return []string{"bone is the only distant site"}, true
		},
		test: func(c *Case) bool { return c.Assessment.BoneOnly },
	}
}

// orNone returns s, or "none" when s is empty.
func orNone(s string) string {
	if s == "" {
		return "none"
	}
	return s
}

// DeNovo holds for de novo metastatic disease: M1 at diagnosis or a first
// distant metastasis within the de novo window of the primary's onset.
func DeNovo() Criterion {
	return clause{
		text: "de novo metastatic disease (M1 at diagnosis, or first distant metastasis within the de novo window, default 90 days, of the primary's onset)",
		met: func(c *Case) ([]string, bool) {
			a := &c.Assessment
			onset := "primary onset " + dateText(a.PrimaryOnset)
			first := a.firstDistant()
			b := []string{onset, "first distant metastasis " + dateText(first)}
			for _, f := range a.StageIV {
				b = append(b, Escape(f.Text)+" "+cite(f.Source))
			}
			if !a.DeNovo {
				return append([]string{"not de novo"}, b...), false
			}
			return append([]string{fmt.Sprintf("de novo: metastatic within %d days of the primary's onset", days(c.Config.DeNovoWindow))}, b...), true
		},
		test: func(c *Case) bool { return c.Assessment.DeNovo },
	}
}

// markerFacts renders the markers a status rests on.
func markerFacts(label string, st status) []string {
	if len(st.From) == 0 {
		return []string{label + ": no result recorded"}
	}
	b := make([]string, 0, len(st.From))
	for _, m := range st.From {
		b = append(b, label+": "+markerText(m))
	}
	return b
}

// HRPositive holds when ER or PR is positive (newest result).
func HRPositive() Criterion {
	return clause{
		text: "HR-positive (ER or PR positive)",
		met: func(c *Case) ([]string, bool) {
			st := c.hrStatus()
			return markerFacts("hormone receptor "+st.Result.String(), st), st.Result == Positive
		},
		test: func(c *Case) bool { return c.hrStatus().Result == Positive },
	}
}

// HER2Negative holds when the newest HER2 result is negative (an equivocal
// IHC settled by ISH counts).
func HER2Negative() Criterion {
	return her2Is("HER2-negative", Negative)
}

// HER2Positive holds when the newest HER2 result is positive.
func HER2Positive() Criterion {
	return her2Is("HER2-positive", Positive)
}

func her2Is(text string, want Result) Criterion {
	return clause{
		text: text,
		met: func(c *Case) ([]string, bool) {
			st := c.her2Status()
			return markerFacts("HER2 "+st.Result.String(), st), st.Result == want
		},
		test: func(c *Case) bool { return c.her2Status().Result == want },
	}
}

// TripleNegative holds when ER, PR and HER2 are all negative.
func TripleNegative() Criterion {
	return clause{
		text: "triple negative (ER, PR and HER2 negative)",
		met: func(c *Case) ([]string, bool) {
			hr, her2 := c.hrStatus(), c.her2Status()
			b := append(markerFacts("hormone receptor "+hr.Result.String(), hr), markerFacts("HER2 "+her2.Result.String(), her2)...)
			return b, hr.Result == Negative && her2.Result == Negative
		},
		test: func(c *Case) bool {
			return c.hrStatus().Result == Negative && c.her2Status().Result == Negative
		},
	}
}

// markerPresent holds when a marker of the kind with a known result that
// keep accepts is recorded.
func markerPresent(text string, kind MarkerKind, keep func(Marker) bool) Criterion {
	return clause{
		text: text,
		met: func(c *Case) ([]string, bool) {
			m, ok := newestMarker(c.Patient, kind, keep)
			if !ok {
				return []string{"no " + text + " recorded"}, false
			}
			return []string{markerText(m)}, true
		},
		test: func(c *Case) bool {
			_, ok := newestMarker(c.Patient, kind, keep)
			return ok
		},
	}
}

// GermlineBRCAPathogenic holds when a pathogenic or likely pathogenic BRCA1/2
// variant is recorded as germline or with its origin not recorded (a
// somatic-only finding does not qualify; the card shows the origin).
func GermlineBRCAPathogenic() Criterion {
	return markerPresent("germline BRCA1/2 pathogenic or likely pathogenic variant", MarkerBRCA, func(m Marker) bool {
		return m.Result == Positive && m.Origin != Somatic
	})
}

// BRCAResult holds when any BRCA1/2 result is recorded.
func BRCAResult() Criterion {
	return markerPresent("BRCA1/2 result", MarkerBRCA, nil)
}

// PDL1Result holds when any PD-L1 result is recorded.
func PDL1Result() Criterion {
	return markerPresent("PD-L1 result", MarkerPDL1, nil)
}

// PDL1Positive holds when the newest PD-L1 result is positive.
func PDL1Positive() Criterion {
	return clause{
		text: "PD-L1 positive",
		met: func(c *Case) ([]string, bool) {
			m, ok := newestMarker(c.Patient, MarkerPDL1, nil)
			if !ok {
				return []string{"no PD-L1 result recorded"}, false
			}
			return []string{markerText(m)}, m.Result == Positive
		},
		test: func(c *Case) bool {
			m, ok := newestMarker(c.Patient, MarkerPDL1, nil)
			return ok && m.Result == Positive
		},
	}
}

// ReceptorsKnown holds when ER, PR and HER2 are all known and HER2 is not
// equivocal without an ISH result.
func ReceptorsKnown() Criterion {
	return clause{
		text: "ER, PR and HER2 known (HER2 equivocal settled by ISH)",
		met: func(c *Case) ([]string, bool) {
			missing := c.missingReceptorTests()
			var b []string
			for _, k := range []MarkerKind{MarkerER, MarkerPR, MarkerHER2} {
				if m, ok := newestMarker(c.Patient, k, nil); ok {
					b = append(b, markerText(m))
				}
			}
			if m, ok := newestMarker(c.Patient, MarkerHR, nil); ok && len(missing) > 0 {
				b = append(b, markerText(m)+": a combined result does not give ER and PR separately")
			}
			for _, o := range missing {
				b = append(b, "missing: "+o.Label)
			}
			return b, len(missing) == 0
		},
		test: func(c *Case) bool { return len(c.missingReceptorTests()) == 0 },
	}
}

// missingReceptorTests returns the receptor tests to order: ER, PR and HER2
// IHC when no result exists, HER2 ISH when HER2 is equivocal with no ISH.
func (c *Case) missingReceptorTests() []Order {
	var out []Order
	if _, ok := newestMarker(c.Patient, MarkerER, nil); !ok {
		out = append(out, Order{ServiceRequest, OrderERTest, "Estrogen receptor (ER) by IHC"})
	}
	if _, ok := newestMarker(c.Patient, MarkerPR, nil); !ok {
		out = append(out, Order{ServiceRequest, OrderPRTest, "Progesterone receptor (PR) by IHC"})
	}
	switch c.her2Status().Result {
	case ResultUnknown:
		out = append(out, Order{ServiceRequest, OrderHER2IHC, "HER2 by IHC"})
	case Equivocal:
		out = append(out, Order{ServiceRequest, OrderHER2ISH, "HER2 (ERBB2) by ISH"})
	}
	return out
}

// Male holds for a male patient (administrative sex, or a male-breast
// primary code).
func Male() Criterion {
	return clause{
		text: "male patient",
		met: func(c *Case) ([]string, bool) {
			if !c.Assessment.Male {
				return []string{"sex: " + c.Patient.Sex.String()}, false
			}
			return []string{"male patient"}, true
		},
		test: func(c *Case) bool { return c.Assessment.Male },
	}
}

// AgeUnder holds when the patient is younger than years at now.
func AgeUnder(years int) Criterion {
	return clause{
		text: fmt.Sprintf("age under %d years", years),
		met: func(c *Case) ([]string, bool) {
			age, ok := ageAt(c.Patient.BirthDate, c.Now)
			if !ok {
				return []string{"age unknown (no birth date)"}, false
			}
			return []string{fmt.Sprintf("age %d years", age)}, age < years
		},
		test: func(c *Case) bool {
			age, ok := ageAt(c.Patient.BirthDate, c.Now)
			return ok && age < years
		},
	}
}

// medText renders a medication fact: "palbociclib, MedicationRequest active
// (MedicationRequest/x, 2024-01-02)".
func medText(m Medication) string {
	drug := m.Drug
	if drug == "" {
		drug = codeText(m.Code, m.Class.String())
	}
	return Escape(drug) + ", " + m.Record.String() + " " + Escape(m.Status) + " " + cite(m.Source)
}

// activeDrug holds when an active medication of the class that keep
// accepts is recorded.
func activeDrug(text string, class DrugClass, keep func(Medication) bool) Criterion {
	return clause{
		text: "active " + text,
		met: func(c *Case) ([]string, bool) {
			var b []string
			for _, m := range activeMeds(c.Patient, c.Now, c.Config, class) {
				if keep == nil || keep(m) {
					b = append(b, "active "+class.String()+": "+medText(m))
				}
			}
			if len(b) == 0 {
				return []string{"no active " + text}, false
			}
			return b, true
		},
		test: func(c *Case) bool {
			return slices.ContainsFunc(c.Patient.Medications, func(m Medication) bool {
				return m.Class == class && m.ActiveAt(c.Now, c.Config) && (keep == nil || keep(m))
			})
		},
	}
}

// ActiveDrug holds when a drug of the class is active (RULES.md
// Medications).
func ActiveDrug(class DrugClass) Criterion {
	return activeDrug(class.String(), class, nil)
}

// ActiveBoneAgentForMetastasis holds when denosumab or zoledronic acid is
// active at the bone-metastasis dose; an osteoporosis product (Prolia,
// Reclast) does not count (CODES.md §3).
func ActiveBoneAgentForMetastasis() Criterion {
	return activeDrug("denosumab or zoledronic acid at the bone-metastasis dose", DrugBoneModifying, func(m Medication) bool {
		return !m.OsteoporosisDose
	})
}

// ActiveBoneAgentOsteoporosisDose holds when a bone-modifying agent is
// active only as an osteoporosis product.
func ActiveBoneAgentOsteoporosisDose() Criterion {
	return activeDrug("bone-modifying agent at an osteoporosis dose (e.g. Prolia, Reclast)", DrugBoneModifying, func(m Medication) bool {
		return m.OsteoporosisDose
	})
}

// PETWithin holds when a PET or PET/CT is dated within the PET window
// (Config.PETWindow, default 60 days) before now.
func PETWithin() Criterion {
	return clause{
		text: "PET or PET/CT within the PET window (default 60 days)",
		met: func(c *Case) ([]string, bool) {
			newest := newestPET(c)
			n := days(c.Config.PETWindow)
			if newest == nil {
				return []string{fmt.Sprintf("no PET or PET/CT on record (window %d days)", n)}, false
			}
			fact := "PET/CT: " + orNone(Escape(newest.Description)) + " " + cite(newest.Source)
			if within(newest.Date, c.Now, c.Config.PETWindow) {
				return []string{fact + fmt.Sprintf(", within the last %d days", n)}, true
			}
			return []string{fmt.Sprintf("no PET or PET/CT in the last %d days; newest ", n) + fact}, false
		},
		test: func(c *Case) bool {
			newest := newestPET(c)
			return newest != nil && within(newest.Date, c.Now, c.Config.PETWindow)
		},
	}
}

// newestPET returns the newest PET or PET/CT not dated after now, or nil.
func newestPET(c *Case) *Imaging {
	var newest *Imaging
	for i := range c.Patient.Imaging {
		im := &c.Patient.Imaging[i]
		if !im.PET || im.Date.After(c.Now) {
			continue
		}
		if newest == nil || im.Date.After(newest.Date) {
			newest = im
		}
	}
	return newest
}

// tissue reports whether the evidence kind is tissue evidence.
func tissue(e EvidenceKind) bool {
	return e == EvidenceHistologic || e == EvidenceCytologic || e == EvidencePathology
}

// TissueEvidence holds when a distant metastasis has histologic, cytologic
// or pathology evidence (Condition.evidence.code).
func TissueEvidence() Criterion {
	return clause{
		text: "a distant metastasis has tissue evidence (histologic, cytologic or pathology)",
		met: func(c *Case) ([]string, bool) {
			var yes, no []string
			for _, m := range c.Assessment.Distant {
				var kinds []string
				found := false
				for _, e := range m.Evidence {
					kinds = append(kinds, e.String())
					found = found || tissue(e)
				}
				text := m.Site.String() + " metastasis, evidence: " + orNone(strings.Join(kinds, ", ")) + " " + cite(m.Source)
				if found {
					yes = append(yes, text)
				} else {
					no = append(no, text)
				}
			}
			if len(yes) > 0 {
				return yes, true
			}
			if len(no) == 0 {
				no = []string{"no distant metastasis Condition with evidence recorded"}
			}
			return no, false
		},
		test: func(c *Case) bool {
			return slices.ContainsFunc(c.Assessment.Distant, func(m Metastasis) bool {
				return slices.ContainsFunc(m.Evidence, tissue)
			})
		},
	}
}

// done reports whether a Procedure status means it happened (or is
// happening); an absent status is taken at its word.
func done(status string) bool {
	return status == "" || status == "completed" || status == "in-progress"
}

// BreastSurgery holds when breast surgery is on record (completed or in
// progress).
func BreastSurgery() Criterion {
	return clause{
		text: "breast surgery on record",
		met: func(c *Case) ([]string, bool) {
			var b []string
			for _, pr := range c.Patient.Procedures {
				if pr.Kind == ProcedureBreastSurgery && done(pr.Status) {
					b = append(b, "breast surgery: "+display(pr.Code, "breast surgery")+" "+cite(pr.Source))
				}
			}
			if len(b) == 0 {
				return []string{"no breast surgery on record: primary in place"}, false
			}
			return b, true
		},
		test: func(c *Case) bool {
			return slices.ContainsFunc(c.Patient.Procedures, func(pr Procedure) bool {
				return pr.Kind == ProcedureBreastSurgery && done(pr.Status)
			})
		},
	}
}

// TumorBoardSinceMetastasis holds when a tumour-board record is dated on or
// after the newest distant metastasis onset and no worsened Cancer Disease
// Status follows it (RULES.md tumor-board: re-fires on progression).
func TumorBoardSinceMetastasis() Criterion {
	return clause{
		text: "tumour-board record dated after the newest metastasis onset, with no worsened disease status after it",
		met: func(c *Case) ([]string, bool) {
			board, newestMet := boardSinceMetastasis(c)
			if board == nil {
				return []string{"no tumour-board record since the newest metastasis " + cite(newestMet)}, false
			}
			fact := "tumour board: " + orNone(Escape(board.Description)) + " " + cite(board.Source)
			if r := worsenedAfter(c.Patient, board.Date); r != nil {
				return []string{"progression after the last tumour board: disease status worsened " + cite(r.Source) + "; last " + fact}, false
			}
			return []string{fact}, true
		},
		test: func(c *Case) bool {
			board, _ := boardSinceMetastasis(c)
			return board != nil && worsenedAfter(c.Patient, board.Date) == nil
		},
	}
}

// boardSinceMetastasis returns the newest dated tumour-board record not
// older than the newest distant metastasis onset (nil when none), and that
// metastasis.
func boardSinceMetastasis(c *Case) (*TumorBoard, Source) {
	var newestMet Source
	for _, m := range c.Assessment.Distant {
		if s := m.start(); s.After(newestMet.Date) {
			newestMet = Source{Ref: m.Ref, Date: s}
		}
	}
	var board *TumorBoard
	for i := range c.Patient.TumorBoards {
		tb := &c.Patient.TumorBoards[i]
		if tb.Date.IsZero() || tb.Date.Before(newestMet.Date) {
			continue
		}
		if board == nil || tb.Date.After(board.Date) {
			board = tb
		}
	}
	return board, newestMet
}

// worsenedAfter returns the first worsened disease status dated after t, or
// nil.
func worsenedAfter(p Patient, t time.Time) *StatusReport {
	for i := range p.DiseaseStatus {
		if r := &p.DiseaseStatus[i]; r.Status == Worsened && r.Date.After(t) {
			return r
		}
	}
	return nil
}

// ResponseDocumented holds when a current systemic therapy exists and a
// Cancer Disease Status is dated after its start (seed Step 3: "document
// tumor response ... before suggesting local ablative therapy").
func ResponseDocumented() Criterion {
	return clause{
		text: "a Cancer Disease Status dated after the start of the current systemic therapy",
		met: func(c *Case) ([]string, bool) {
			start, first, ok := therapyStart(c.Patient, c.Now, c.Config)
			if !ok {
				return []string{"no current systemic therapy on record"}, false
			}
			therapy := "current systemic therapy since " + dateText(start) + ": " + medText(first)
			if start.IsZero() {
				return []string{therapy, "start of therapy unknown, so response cannot be dated after it"}, false
			}
			r, ok := statusAfter(c.Patient, start)
			if !ok {
				return []string{therapy, "no Cancer Disease Status after " + dateText(start)}, false
			}
			return []string{therapy, "disease status " + r.Status.String() + " " + cite(r.Source)}, true
		},
		test: func(c *Case) bool {
			start, _, ok := therapyStart(c.Patient, c.Now, c.Config)
			if !ok || start.IsZero() {
				return false
			}
			_, ok = statusAfter(c.Patient, start)
			return ok
		},
	}
}

// statusAfter returns the newest known disease status dated after start.
func statusAfter(p Patient, start time.Time) (StatusReport, bool) {
	r, ok := latestStatus(p)
	if !ok || !r.Date.After(start) {
		return StatusReport{}, false
	}
	return r, true
}

// RespondingOnTherapy holds when the newest Cancer Disease Status, dated
// after the start of current systemic therapy, is improved or stable.
func RespondingOnTherapy() Criterion {
	return clause{
		text: "latest Cancer Disease Status after therapy start is improved or stable",
		met: func(c *Case) ([]string, bool) {
			start, first, ok := therapyStart(c.Patient, c.Now, c.Config)
			if !ok {
				return []string{"no current systemic therapy on record"}, false
			}
			therapy := "current systemic therapy since " + dateText(start) + ": " + medText(first)
			r, ok := statusAfter(c.Patient, start)
			if start.IsZero() || !ok {
				return []string{therapy, "no Cancer Disease Status after therapy start"}, false
			}
			b := []string{therapy, "disease status " + r.Status.String() + " " + cite(r.Source)}
			return b, r.Status == Improved || r.Status == Stable
		},
		test: func(c *Case) bool {
			start, _, ok := therapyStart(c.Patient, c.Now, c.Config)
			if !ok || start.IsZero() {
				return false
			}
			r, ok := statusAfter(c.Patient, start)
			return ok && (r.Status == Improved || r.Status == Stable)
		},
	}
}

// LatestStatus holds when the newest Cancer Disease Status is want.
func LatestStatus(want DiseaseStatus) Criterion {
	return clause{
		text: "latest Cancer Disease Status " + want.String(),
		met: func(c *Case) ([]string, bool) {
			r, ok := latestStatus(c.Patient)
			if !ok {
				return []string{"no Cancer Disease Status recorded"}, false
			}
			return []string{"disease status " + r.Status.String() + " " + cite(r.Source)}, r.Status == want
		},
		test: func(c *Case) bool {
			r, ok := latestStatus(c.Patient)
			return ok && r.Status == want
		},
	}
}
