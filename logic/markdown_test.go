package logic

import "testing"

func TestEscape(t *testing.T) {
	tests := []struct {
		name, in, want string
	}{
		{"plain text unchanged", "Malignant neoplasm of breast (disorder)", "Malignant neoplasm of breast (disorder)"},
		{"HTML tag", "<script>alert(1)</script>", `&lt;script&gt;alert(1)&lt;/script&gt;`},
		{"entity", "&lt;", `&amp;lt;`},
		{"emphasis and code", "*a* _b_ `c` ~d~", `\*a\* \_b\_ \` + "`" + `c\` + "`" + ` \~d\~`},
		{"link", "[x](javascript:alert(1))", `\[x\](javascript:alert(1))`},
		{"image", "![x](y)", `\!\[x\](y)`},
		{"table pipe and heading", "# a | b", `\# a \| b`},
		{"backslash", `a\b`, `a\\b`},
		{"newline cannot open a block", "a\n# heading\r\n- item", "a \\# heading  - item"},
		{"control characters dropped", "a\x00b\x1bc", "abc"},
		{"math", "$x$", `\$x\$`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Escape(tt.in); got != tt.want {
				t.Errorf("Escape(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}
