package cdshooks

import "testing"

// conformanceCase is one item of ../shared/cdshooks/CONFORMANCE.md, named
// after its id. P items belong to the prefetch package; S-3 to S-10 to the
// trust package.
type conformanceCase struct {
	name string
	test func(t *testing.T)
}

// TestConformance runs one subtest per applicable CONFORMANCE.md item.
func TestConformance(t *testing.T) {
	var cases []conformanceCase
	cases = append(cases, generalCases()...)
	cases = append(cases, discoveryCases()...)
	cases = append(cases, requestCases()...)
	cases = append(cases, responseCases()...)
	cases = append(cases, feedbackCases()...)
	cases = append(cases, securityCases()...)
	for _, c := range cases {
		t.Run(c.name, c.test)
	}
}
