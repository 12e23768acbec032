package logic

import "time"

// day is a calendar day for the windows of the rule book; the windows are
// counted in whole days from the request time.
const day = 24 * time.Hour

// Config holds the configurable windows of RULES.md: "every window below is
// measured from it [now] and is configurable".
type Config struct {
	// PETWindow is how far back a PET or PET/CT satisfies staging-imaging
	// (RULES.md: "in the last 60 days").
	PETWindow time.Duration
	// AdministrationWindow is how long a MedicationAdministration makes its
	// drug count as active (RULES.md Medications: "in the last 90 days").
	AdministrationWindow time.Duration
	// DeNovoWindow is how close to the primary's onset an M1 staging or the
	// first distant metastasis must be for de novo disease (RULES.md
	// Classification: "within 90 days of the primary's onset").
	DeNovoWindow time.Duration
}

// DefaultConfig returns the windows the rule book states.
func DefaultConfig() Config {
	return Config{
		PETWindow:            60 * day,
		AdministrationWindow: 90 * day,
		DeNovoWindow:         90 * day,
	}
}

// days renders a window in whole days for card text and the rule listing.
func days(d time.Duration) int {
	return int(d / day)
}
