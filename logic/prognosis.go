package logic

import (
	"fmt"
	"slices"
	"strings"
	"time"
)

// This file computes the prognostic context of RULES.md Classification: the
// seed's seven factors plus performance status. They are shown with their
// values and never used as gates (EVIDENCE.md §0.4: DFI and organ count are
// prognostic markers, not eligibility filters).

// prognostic returns the factors in the seed's order.
func prognostic(p Patient, a *Assessment, now time.Time, hr status) []Factor {
	return []Factor{
		lesionFactor(a),
		dfiFactor(a),
		nodalFactor(p),
		hrFactor(hr),
		boneOnlyFactor(a),
		ageFactor(p, now),
		responseFactor(p),
		performanceFactor(p),
	}
}

func lesionFactor(a *Assessment) Factor {
	f := Factor{Name: "Number of distant lesions (seed: ≤5 favourable)"}
	for _, l := range a.Lesions {
		f.Sources = append(f.Sources, l.Source)
	}
	switch {
	case a.DistantLesions < 0 && len(a.DistantSites) > 0:
		f.Value = "unknown: no Tumor BodyStructure for " + siteList(a.SitesWithoutCount)
	case a.DistantLesions < 0:
		f.Value = "unknown"
	case a.DistantLesions <= 5:
		f.Value, f.Outlook = fmt.Sprint(a.DistantLesions), OutlookFavourable
	default:
		f.Value, f.Outlook = fmt.Sprint(a.DistantLesions), OutlookUnfavourable
	}
	if len(a.DistantSites) > 0 {
		f.Value += fmt.Sprintf(" in %d organ site(s): %s", len(a.DistantSites), siteList(a.DistantSites))
	}
	return f
}

func dfiFactor(a *Assessment) Factor {
	f := Factor{Name: "Disease-free interval (seed: > 24 months favourable)"}
	first := a.firstDistant()
	switch {
	case a.DeNovo:
		f.Value = "not applicable: de novo metastatic disease"
	case a.PrimaryOnset.IsZero() || first.IsZero():
		f.Value = "unknown (primary onset or first distant metastasis date missing)"
	default:
		m := monthsBetween(a.PrimaryOnset, first)
		f.Value = fmt.Sprintf("%d months (primary %s, first distant metastasis %s)", m, dateText(a.PrimaryOnset), dateText(first))
		f.Outlook = OutlookUnfavourable
		if m > 24 {
			f.Outlook = OutlookFavourable
		}
	}
	return f
}

// monthsBetween returns the whole calendar months from a to b.
func monthsBetween(a, b time.Time) int {
	m := (b.Year()-a.Year())*12 + int(b.Month()) - int(a.Month())
	if b.Day() < a.Day() {
		m--
	}
	return m
}

func nodalFactor(p Patient) Factor {
	f := Factor{Name: "Nodal status at diagnosis (seed: limited or no axillary involvement favourable)"}
	var first *Staging
	for i := range p.Staging {
		s := &p.Staging[i]
		if s.Kind != StagingN || s.Value == "" {
			continue
		}
		if first == nil || first.Date.IsZero() || !s.Date.IsZero() && s.Date.Before(first.Date) {
			first = s
		}
	}
	if first == nil {
		f.Value = "unknown (no N category recorded)"
		return f
	}
	f.Value = first.Value
	if first.Sub != "" && first.Sub != first.Value {
		f.Value += " (" + first.Sub + ")"
	}
	f.Sources = []Source{first.Source}
	switch first.Value {
	case "N0", "N1":
		f.Outlook = OutlookFavourable
	case "N2", "N3":
		f.Outlook = OutlookUnfavourable
	}
	return f
}

func hrFactor(st status) Factor {
	f := Factor{Name: "Hormone-receptor status (seed: HR-positive favourable)"}
	f.Value = "HR " + st.Result.String()
	for _, m := range st.From {
		f.Sources = append(f.Sources, m.Source)
	}
	switch st.Result {
	case Positive:
		f.Outlook = OutlookFavourable
	case Negative:
		f.Outlook = OutlookUnfavourable
	}
	return f
}

func boneOnlyFactor(a *Assessment) Factor {
	f := Factor{Name: "Bone-only disease (seed: favourable)"}
	for _, m := range a.Distant {
		f.Sources = append(f.Sources, m.Source)
	}
	switch {
	case len(a.DistantSites) == 0:
		f.Value = "unknown (no distant site recorded)"
	case a.BoneOnly:
		f.Value, f.Outlook = "yes", OutlookFavourable
	default:
		f.Value, f.Outlook = "no: "+siteList(a.DistantSites), OutlookUnfavourable
	}
	return f
}

func ageFactor(p Patient, now time.Time) Factor {
	f := Factor{Name: "Age (seed: < 55 years favourable)"}
	age, ok := ageAt(p.BirthDate, now)
	if !ok {
		f.Value = "unknown (no birth date)"
		return f
	}
	f.Value = fmt.Sprintf("%d years", age)
	f.Outlook = OutlookUnfavourable
	if age < 55 {
		f.Outlook = OutlookFavourable
	}
	return f
}

func responseFactor(p Patient) Factor {
	f := Factor{Name: "Response to systemic therapy (latest Cancer Disease Status)"}
	r, ok := latestStatus(p)
	if !ok {
		f.Value = "unknown (no Cancer Disease Status recorded)"
		return f
	}
	f.Value = r.Status.String() + " on " + dateText(r.Date)
	f.Sources = []Source{r.Source}
	switch r.Status {
	case Improved:
		f.Outlook = OutlookFavourable
	case Worsened:
		f.Outlook = OutlookUnfavourable
	}
	return f
}

func performanceFactor(p Patient) Factor {
	f := Factor{Name: "Performance status (seed: excellent performance status)"}
	var latest *Performance
	for i := range p.Performance {
		x := &p.Performance[i]
		if x.Scale == ScaleUnknown {
			continue
		}
		if latest == nil || !x.Date.Before(latest.Date) {
			latest = x
		}
	}
	if latest == nil {
		f.Value = "unknown (no ECOG or Karnofsky recorded)"
		return f
	}
	f.Value = fmt.Sprintf("%s %d on %s", latest.Scale, latest.Value, dateText(latest.Date))
	f.Sources = []Source{latest.Source}
	good := latest.Scale == ECOG && latest.Value <= 1 || latest.Scale == Karnofsky && latest.Value >= 80
	f.Outlook = OutlookUnfavourable
	if good {
		f.Outlook = OutlookFavourable
	}
	return f
}

// latestStatus returns the newest disease-status report with a known value.
func latestStatus(p Patient) (StatusReport, bool) {
	var (
		best  StatusReport
		found bool
	)
	for _, r := range p.DiseaseStatus {
		if r.Status == DiseaseStatusUnknown {
			continue
		}
		if !found || !r.Date.Before(best.Date) {
			best, found = r, true
		}
	}
	return best, found
}

// siteList renders sites as "bone, liver": sorted, each once.
func siteList(sites []Site) string {
	// The lists it gets (Assessment.DistantSites, SitesWithoutCount) are
	// already sorted and distinct; only others need a sorted copy.
	if !strictlyIncreasing(sites) {
		sites = slices.Compact(slices.Sorted(slices.Values(sites)))
	}
	switch len(sites) {
	case 0:
		return ""
	case 1:
		return sites[0].String()
	}
	n := 2 * (len(sites) - 1)
	for _, s := range sites {
		n += len(s.String())
	}
	var b strings.Builder
	b.Grow(n)
	for i, s := range sites {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(s.String())
	}
	return b.String()
}

// strictlyIncreasing reports whether sites are sorted with no repeats.
func strictlyIncreasing(sites []Site) bool {
	for i := 1; i < len(sites); i++ {
		if sites[i] <= sites[i-1] {
			return false
		}
	}
	return true
}
