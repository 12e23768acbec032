package fhirmap

import (
	"testing"
	"time"
)

func TestParseDate(t *testing.T) {
	plus2 := time.FixedZone("", 2*3600)
	minus5 := time.FixedZone("", -5*3600)
	tests := []struct {
		name, in string
		want     time.Time
	}{
		{"year only", "2024", time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)},
		{"year and month", "2024-03", time.Date(2024, 3, 1, 0, 0, 0, 0, time.UTC)},
		{"full date", "2024-03-02", time.Date(2024, 3, 2, 0, 0, 0, 0, time.UTC)},
		{"dateTime in UTC", "2024-03-02T10:11:12Z", time.Date(2024, 3, 2, 10, 11, 12, 0, time.UTC)},
		{"dateTime with positive offset", "2024-03-02T10:11:12+02:00", time.Date(2024, 3, 2, 10, 11, 12, 0, plus2)},
		{"dateTime with negative offset", "2019-10-22T04:27:51-05:00", time.Date(2019, 10, 22, 4, 27, 51, 0, minus5)},
		{"instant with milliseconds", "2024-03-02T10:11:12.574+02:00", time.Date(2024, 3, 2, 10, 11, 12, 574e6, plus2)},
		{"surrounding spaces", " 2024-03-02 ", time.Date(2024, 3, 2, 0, 0, 0, 0, time.UTC)},
		{"empty", "", time.Time{}},
		{"not a date", "yesterday", time.Time{}},
		{"impossible month", "2024-13", time.Time{}},
		{"time without offset is not FHIR", "2024-03-02T10:11:12", time.Time{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := parseDate(tt.in)
			if !got.Equal(tt.want) {
				t.Errorf("parseDate(%q) = %v, want %v", tt.in, got, tt.want)
			}
			if !tt.want.IsZero() {
				_, gotOff := got.Zone()
				_, wantOff := tt.want.Zone()
				if gotOff != wantOff {
					t.Errorf("parseDate(%q) offset = %d, want %d", tt.in, gotOff, wantOff)
				}
			}
		})
	}
}
