package logic

import (
	"fmt"
	"strings"
)

// This file renders the extra sections of a card's detail: the
// classification, the prognostic context and the imaging history for the
// tumour board (seed Step 2: "complete imaging history review to assess
// disease dynamics"), and what to record for data-quality.

// panel renders one section, ending with a blank line.
func panel(c *Case, p Panel) string {
	var b strings.Builder
	a := &c.Assessment
	switch p {
	case PanelClassification:
		b.WriteString("### Classification\n\n")
		count := "unknown"
		if a.DistantLesions >= 0 {
			count = fmt.Sprint(a.DistantLesions)
		}
		fmt.Fprintf(&b, "- class: %s\n", a.Class)
		fmt.Fprintf(&b, "- distant lesions: %s\n", count)
		fmt.Fprintf(&b, "- distant sites: %s\n", orNone(siteList(a.DistantSites)))
		fmt.Fprintf(&b, "- de novo metastatic disease: %s\n", yesNo(a.DeNovo))
		for _, f := range a.Facts {
			fmt.Fprintf(&b, "- %s %s\n", Escape(f.Text), cite(f.Source))
		}
	case PanelPrognosis:
		b.WriteString("### Prognostic context (not eligibility criteria)\n\n")
		for _, f := range a.Prognostic {
			fmt.Fprintf(&b, "- %s: %s (%s)%s\n", Escape(f.Name), Escape(f.Value), f.Outlook, cites(f.Sources))
		}
	case PanelImaging:
		b.WriteString("### Imaging history (newest first)\n\n")
		if len(a.Imaging) == 0 {
			b.WriteString("- no imaging on record\n")
		}
		for _, im := range a.Imaging {
			mod := im.Modality
			if mod == "" {
				mod = "modality unknown"
			}
			if im.PET {
				mod += ", PET"
			}
			line := dateText(im.Date) + ": " + Escape(mod)
			if im.Description != "" {
				line += ", " + Escape(im.Description)
			}
			if im.BodySite != "" {
				line += ", " + Escape(im.BodySite)
			}
			fmt.Fprintf(&b, "- %s (%s)\n", line, Escape(orNone(im.Ref)))
		}
	case PanelRecording:
		b.WriteString("### What to record\n\n")
		for _, r := range recordingGaps(a) {
			b.WriteString("- " + r + "\n")
		}
	case PanelSkipped:
		b.WriteString("### Resources left out of this assessment\n\n")
		if len(c.Patient.Skipped) == 0 {
			b.WriteString("- none\n")
		}
		for _, s := range c.Patient.Skipped {
			fmt.Fprintf(&b, "- %s: %s\n", Escape(s.Ref), Escape(s.Reason))
		}
	}
	b.WriteString("\n")
	return b.String()
}

// recordingGaps lists exactly what to record so the disease can be
// classified (mCODE STU4: one Secondary Cancer Condition per site, one Tumor
// BodyStructure per lesion).
func recordingGaps(a *Assessment) []string {
	var out []string
	if len(a.DistantSites) == 0 && len(a.StageIV) > 0 {
		out = append(out, "an mCODE Secondary Cancer Condition for each metastatic site (with body site and laterality): M1 / stage IV or a history of metastatic cancer is recorded but no distant site is")
	}
	for _, s := range a.SitesWithoutCount {
		out = append(out, "an mCODE Tumor BodyStructure for each lesion at: "+s.String())
	}
	primary := ""
	if len(primarySides(a.Primaries)) == 0 {
		primary = " and of the breast primary"
	}
	for _, m := range a.RegionalUnclear {
		out = append(out, "the laterality of the "+m.Site.String()+" secondary "+cite(m.Source)+primary+", so regional (N) and distant disease can be told apart")
	}
	for _, l := range a.LesionsUnclear {
		out = append(out, "the location and laterality of the lesion "+cite(l.Source))
	}
	if len(out) == 0 {
		out = append(out, "nothing missing for the classification")
	}
	return out
}

// cites renders several sources as " (A, date) (B, date)".
func cites(ss []Source) string {
	var b strings.Builder
	for _, s := range ss {
		b.WriteString(" " + cite(s))
	}
	return b.String()
}

// yesNo renders a boolean for a card.
func yesNo(v bool) string {
	if v {
		return "yes"
	}
	return "no"
}
