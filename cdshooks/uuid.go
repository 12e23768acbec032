package cdshooks

import (
	"crypto/sha1"
	"fmt"
	"strconv"
)

// namespaceURL is the RFC 9562 §6.6 name space ID for URLs; the names hashed
// below are URNs under RuleSystem.
// 6ba7b811-9dad-11d1-80b4-00c04fd430c8 in bytes.
const namespaceURL = "\x6b\xa7\xb8\x11\x9d\xad\x11\xd1\x80\xb4\x00\xc0\x4f\xd4\x30\xc8"

// CardUUID returns the uuid of the card for ruleCode in the hook call
// hookInstance: a name-based UUID version 5 (SHA-1, RFC 9562 §5.5). The same
// inputs give the same uuid, so a retried call issues the same cards,
// feedback can be joined to them, and golden tests are stable.
func CardUUID(hookInstance, ruleCode string) string {
	return uuidV5("urn:ombc-cds:card\x00" + hookInstance + "\x00" + ruleCode)
}

// SuggestionUUID returns the uuid of the index-th suggestion (from 0) of the
// card for ruleCode in the hook call hookInstance, derived like CardUUID.
func SuggestionUUID(hookInstance, ruleCode string, index int) string {
	return uuidV5("urn:ombc-cds:suggestion\x00" + hookInstance + "\x00" + ruleCode + "\x00" + strconv.Itoa(index))
}

func uuidV5(name string) string {
	h := sha1.New()
	h.Write([]byte(namespaceURL))
	h.Write([]byte(name))
	var u [16]byte
	copy(u[:], h.Sum(nil))
	u[6] = u[6]&0x0f | 0x50 // version 5
	u[8] = u[8]&0x3f | 0x80 // RFC 9562 variant
	return fmt.Sprintf("%x-%x-%x-%x-%x", u[0:4], u[4:6], u[6:8], u[8:10], u[10:16])
}
