package jsonscan

import (
	"encoding/json"
	"testing"
)

// TestAppendStringMatchesEncodingJSON pins AppendString to json.Marshal.
func TestAppendStringMatchesEncodingJSON(t *testing.T) {
	for _, s := range []string{
		"", "plain", `quote " and backslash \`, "<script>&amp;</script>", "tab\tnew\nline\r\b\f",
		"\x00\x01\x1f\x7f", "é ü 漢字 🙂", "line\u2028sep\u2029para", "bad \xff utf8 \xc3", "Patient/x-1",
	} {
		want, err := json.Marshal(s)
		if err != nil {
			t.Fatal(err)
		}
		if got := AppendString(nil, s); string(got) != string(want) {
			t.Errorf("AppendString(%q) = %s, want %s", s, got, want)
		}
	}
}

// FuzzAppendString checks AppendString against json.Marshal on any input.
func FuzzAppendString(f *testing.F) {
	for _, s := range []string{"", "a<b>&c", "\u2028", "\xff", `"\`} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		want, _ := json.Marshal(s)
		if got := AppendString(nil, s); string(got) != string(want) {
			t.Fatalf("AppendString(%q) = %s, want %s", s, got, want)
		}
	})
}
