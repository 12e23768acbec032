package logic

import (
	"strconv"
)

// This file renders the extra sections of a card's detail: the
// classification, the prognostic context and the imaging history for the
// tumour board (seed Step 2: "complete imaging history review to assess
// disease dynamics"), and what to record for data-quality.

// appendPanel renders one section into b, ending with a blank line.
func appendPanel(b []byte, c *Case, p Panel) []byte {
	a := &c.Assessment
	switch p {
	case PanelClassification:
		b = append(b, "### Classification\n\n- class: "...)
		b = append(b, a.Class.String()...)
		b = append(b, "\n- distant lesions: "...)
		if a.DistantLesions >= 0 {
			b = strconv.AppendInt(b, int64(a.DistantLesions), 10)
		} else {
			b = append(b, "unknown"...)
		}
		b = append(b, "\n- distant sites: "...)
		b = append(b, orNone(siteList(a.DistantSites))...)
		b = append(b, "\n- de novo metastatic disease: "...)
		b = append(b, yesNo(a.DeNovo)...)
		b = append(b, '\n')
		for _, f := range a.Facts {
			b = append(b, "- "...)
			b = appendEscape(b, f.Text)
			b = append(b, ' ')
			b = appendCite(b, f.Source)
			b = append(b, '\n')
		}
	case PanelPrognosis:
		b = append(b, "### Prognostic context (not eligibility criteria)\n\n"...)
		for _, f := range a.Prognostic {
			b = append(b, "- "...)
			b = appendEscape(b, f.Name)
			b = append(b, ": "...)
			b = appendEscape(b, f.Value)
			b = append(b, " ("...)
			b = append(b, f.Outlook.String()...)
			b = append(b, ')')
			for _, s := range f.Sources {
				b = append(b, ' ')
				b = appendCite(b, s)
			}
			b = append(b, '\n')
		}
	case PanelImaging:
		b = append(b, "### Imaging history (newest first)\n\n"...)
		if len(a.Imaging) == 0 {
			b = append(b, "- no imaging on record\n"...)
		}
		for _, im := range a.Imaging {
			b = append(b, "- "...)
			b = appendDate(b, im.Date)
			b = append(b, ": "...)
			if im.Modality == "" {
				b = append(b, "modality unknown"...)
			} else {
				b = appendEscape(b, im.Modality)
			}
			if im.PET {
				b = append(b, ", PET"...)
			}
			if im.Description != "" {
				b = append(b, ", "...)
				b = appendEscape(b, im.Description)
			}
			if im.BodySite != "" {
				b = append(b, ", "...)
				b = appendEscape(b, im.BodySite)
			}
			b = append(b, " ("...)
			b = appendEscape(b, orNone(im.Ref))
			b = append(b, ")\n"...)
		}
	case PanelRecording:
		b = append(b, "### What to record\n\n"...)
		for _, r := range recordingGaps(a) {
			b = append(b, "- "...)
			b = append(b, r...)
			b = append(b, '\n')
		}
	case PanelSkipped:
		b = append(b, "### Resources left out of this assessment\n\n"...)
		if len(c.Patient.Skipped) == 0 {
			b = append(b, "- none\n"...)
		}
		for i, s := range c.Patient.Skipped {
			if i == maxSkippedListed {
				b = append(b, "- and "...)
				b = strconv.AppendInt(b, int64(len(c.Patient.Skipped)-i), 10)
				b = append(b, " more\n"...)
				break
			}
			b = append(b, "- "...)
			b = appendEscape(b, s.Ref)
			b = append(b, ": "...)
			b = appendEscape(b, s.Reason)
			b = append(b, '\n')
		}
	}
	return append(b, '\n')
}

// maxSkippedListed bounds the list of left-out resources on a card: enough
// to act on, short enough to read.
const maxSkippedListed = 20

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

// yesNo renders a boolean for a card.
func yesNo(v bool) string {
	if v {
		return "yes"
	}
	return "no"
}
