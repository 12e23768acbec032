package logic

// This file derives receptor and biomarker status from Marker facts. The
// newest result wins (a metastasis re-biopsy supersedes the primary's
// result); results of unknown interpretation do not count as a result.

// newestMarker returns the newest marker of the kind with a known result that
// keep accepts (nil keeps all). Among equal dates the later fact wins.
func newestMarker(p Patient, kind MarkerKind, keep func(Marker) bool) (Marker, bool) {
	var (
		best  Marker
		found bool
	)
	for _, m := range p.Markers {
		if m.Kind != kind || m.Result == ResultUnknown || (keep != nil && !keep(m)) {
			continue
		}
		if !found || !m.Date.Before(best.Date) {
			best, found = m, true
		}
	}
	return best, found
}

// status is a derived receptor status with the facts it rests on.
type status struct {
	Result Result
	From   []Marker
}

// hrStatus derives hormone-receptor status: positive when the newest ER or
// PR is positive, negative when both are negative; the combined ER+PR result
// (Synthea 10480-2) decides only when ER and PR do not.
func hrStatus(p Patient) status {
	er, erOK := newestMarker(p, MarkerER, nil)
	pr, prOK := newestMarker(p, MarkerPR, nil)
	var from []Marker
	if erOK {
		from = append(from, er)
	}
	if prOK {
		from = append(from, pr)
	}
	switch {
	case erOK && er.Result == Positive || prOK && pr.Result == Positive:
		return status{Positive, from}
	case erOK && prOK && er.Result == Negative && pr.Result == Negative:
		return status{Negative, from}
	}
	if hr, ok := newestMarker(p, MarkerHR, nil); ok {
		return status{hr.Result, append(from, hr)}
	}
	return status{ResultUnknown, from}
}

// her2Status derives HER2 status: the newest HER2 result, except that an
// equivocal result is settled by the newest ISH result when one exists.
func her2Status(p Patient) status {
	m, ok := newestMarker(p, MarkerHER2, nil)
	if !ok {
		return status{}
	}
	if m.Result != Equivocal {
		return status{m.Result, []Marker{m}}
	}
	ish, ok := newestMarker(p, MarkerHER2, func(x Marker) bool {
		return x.Method == MethodISH && x.Result != Equivocal
	})
	if ok {
		return status{ish.Result, []Marker{m, ish}}
	}
	return status{Equivocal, []Marker{m}}
}

// markerText renders a marker fact for a card: "ER positive (IHC)
// (Observation/abc, 2024-03-02)".
func markerText(m Marker) string {
	s := m.Kind.String()
	if m.Gene != "" {
		s = Escape(m.Gene)
	}
	s += " " + m.Result.String()
	if m.Kind == MarkerBRCA {
		s += ", " + m.Origin.String()
	}
	if m.Method != MethodUnspecified {
		s += " (" + m.Method.String() + ")"
	}
	if m.Text != "" {
		s += ", reported as " + Escape(m.Text)
	}
	return s + " " + cite(m.Source)
}
