package directory

import (
	"crypto/sha1"
	"crypto/sha256"
	"encoding/base32"
	"encoding/hex"
	"strconv"
	"strings"
)

// HSDS 3.0 declares every id a UUID, and validators check it. Oikos ids
// ("svc_…", "org_…") are not, so what Oikos publishes is a UUID derived from
// them. Records imported from another directory keep the UUID they had
// there, so a round trip through Oikos keeps ids.
//
// Services, organisations, locations and service-at-locations are looked up
// by the ids Oikos publishes, so their UUIDs are reversible: the ten random
// bytes of a db.NewID id are packed into a version 8 (custom) UUID with a
// checksum that tells them apart from other UUIDs. Everything else (phones,
// schedules, cost options…) gets a name-based version 5 UUID: stable, never
// looked up.

// orukNamespace is the version 5 namespace for Oikos's name-based UUIDs. It
// must never change: published ids depend on it.
var orukNamespace = mustParseUUID("7daca2de-490c-4a60-a886-3d5f33f33457")

// oikosIDEncoding is the text form of the random part of db.NewID ids.
var oikosIDEncoding = base32.NewEncoding("abcdefghijklmnopqrstuvwxyz234567").WithPadding(base32.NoPadding)

// idKind says what a reversible UUID names. Values are published inside
// UUIDs: never renumber them.
type idKind byte

const (
	kindService           idKind = 1
	kindOrganisation      idKind = 2
	kindServiceAtLocation idKind = 3
	kindLocation          idKind = 4
)

// kindPrefix is the Oikos id prefix each kind is derived from: a service's
// location and service-at-location are named after the service.
var kindPrefix = map[idKind]string{
	kindService: "svc", kindOrganisation: "org", kindServiceAtLocation: "svc", kindLocation: "svc",
}

const (
	oikosRandomBytes = 10   // the random part of a db.NewID id
	packedMarker     = 0x2a // the six free bits of the variant byte
)

// IsUUID reports whether s has the 8-4-4-4-12 hexadecimal form HSDS asks for.
func IsUUID(s string) bool {
	_, ok := parseUUID(s)
	return ok
}

func parseUUID(s string) ([16]byte, bool) {
	var u [16]byte
	if len(s) != 36 || s[8] != '-' || s[13] != '-' || s[18] != '-' || s[23] != '-' {
		return u, false
	}
	h := s[0:8] + s[9:13] + s[14:18] + s[19:23] + s[24:36]
	if _, err := hex.Decode(u[:], []byte(h)); err != nil {
		return u, false
	}
	return u, true
}

func mustParseUUID(s string) [16]byte {
	u, ok := parseUUID(s)
	if !ok {
		panic("bad UUID " + s)
	}
	return u
}

func formatUUID(u [16]byte) string {
	h := hex.EncodeToString(u[:])
	return h[0:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:32]
}

// nameUUID is the RFC 9562 version 5 UUID of the parts in Oikos's namespace.
func nameUUID(parts ...string) string {
	h := sha1.New()
	h.Write(orukNamespace[:])
	h.Write([]byte(strings.Join(parts, "\x00")))
	var u [16]byte
	copy(u[:], h.Sum(nil))
	u[6] = u[6]&0x0f | 0x50
	u[8] = u[8]&0x3f | 0x80
	return formatUUID(u)
}

func packedChecksum(u [16]byte) []byte {
	sum := sha256.Sum256(append([]byte("oikos-uuid\x00"), u[:12]...))
	return sum[:4]
}

// encodeUUID publishes an Oikos id as a UUID of the given kind: reversible
// when the id has db.NewID's form, name-based otherwise.
func encodeUUID(kind idKind, oikosID string) string {
	prefix, rest, ok := strings.Cut(oikosID, "_")
	if ok && prefix == kindPrefix[kind] {
		b, err := oikosIDEncoding.DecodeString(rest)
		if err == nil && len(b) == oikosRandomBytes && oikosIDEncoding.EncodeToString(b) == rest {
			var u [16]byte
			copy(u[0:6], b[0:6])
			u[6] = 0x80 | byte(kind)
			u[7] = b[6]
			u[8] = 0x80 | packedMarker
			copy(u[9:12], b[7:10])
			copy(u[12:16], packedChecksum(u))
			return formatUUID(u)
		}
	}
	return nameUUID("oikos-id", strconv.Itoa(int(kind)), oikosID)
}

// decodeUUID reverses encodeUUID for a reversible UUID.
func decodeUUID(s string) (idKind, string, bool) {
	u, ok := parseUUID(s)
	if !ok || u[6]>>4 != 8 || u[8] != 0x80|packedMarker || string(u[12:16]) != string(packedChecksum(u)) {
		return 0, "", false
	}
	kind := idKind(u[6] & 0x0f)
	prefix, known := kindPrefix[kind]
	if !known {
		return 0, "", false
	}
	b := make([]byte, 0, oikosRandomBytes)
	b = append(b, u[0:6]...)
	b = append(b, u[7])
	b = append(b, u[9:12]...)
	return kind, prefix + "_" + oikosIDEncoding.EncodeToString(b), true
}

// canonicalIDLength is the length of a db.NewID id with a three-letter
// prefix; ids of any other length were made some other way and publish
// name-based UUIDs, which can only be found by trying each.
var canonicalIDLength = len("svc_") + oikosIDEncoding.EncodedLen(oikosRandomBytes)

// sourceOrDerived is the id to publish for a record: the UUID it had at its
// source when it was imported with one, else one derived from the Oikos id.
func sourceOrDerived(kind idKind, oikosID, source, sourceID string) string {
	if source != "" && IsUUID(sourceID) {
		return strings.ToLower(sourceID)
	}
	return encodeUUID(kind, oikosID)
}

// HSDSID is the id Oikos publishes for the service.
func (v Service) HSDSID() string { return sourceOrDerived(kindService, v.ID, v.Source, v.SourceID) }

// HSDSLocationID is the id of the service's place.
func (v Service) HSDSLocationID() string {
	if IsUUID(v.LocationID) {
		return strings.ToLower(v.LocationID)
	}
	return encodeUUID(kindLocation, v.ID)
}

// HSDSServiceAtLocationID is the id of the link between the service and its
// place. Oikos keeps one place per service, so it is named after the service.
func (v Service) HSDSServiceAtLocationID() string { return encodeUUID(kindServiceAtLocation, v.ID) }
