package postcode

import (
	"math"
	"testing"
)

func TestNormalise(t *testing.T) {
	cases := []struct {
		in, want string
		ok       bool
	}{
		{"ex1 1aa", "EX1 1AA", true},
		{"EX11AA", "EX1 1AA", true},
		{"  sw1a   1aa ", "SW1A 1AA", true},
		{"M1 1AE", "M1 1AE", true},
		{"B33 8TH", "B33 8TH", true},
		{"CR2 6XH", "CR2 6XH", true},
		{"DN55 1PT", "DN55 1PT", true},
		{"W1A 0AX", "W1A 0AX", true},
		{"GIR 0AA", "GIR 0AA", true},
		{"EX1", "EX1", false},
		{"EX1 1A", "EX11A", false},
		{"1EX 1AA", "1EX1AA", false},
		{"EX1 AAA", "EX1AAA", false},
		{"", "", false},
		{"ABCDEFGHIJ", "ABCDEFGHIJ", false},
	}
	for _, c := range cases {
		got, ok := Normalise(c.in)
		if ok != c.ok || (ok && got != c.want) {
			t.Errorf("Normalise(%q) = %q, %v; want %q, %v", c.in, got, ok, c.want, c.ok)
		}
	}
	for in, want := range map[string]string{"ex4": "EX4", "EX4 4QJ": "EX4 4QJ", "sw1a": "SW1A"} {
		if got, ok := NormalisePlace(in); !ok || got != want {
			t.Errorf("NormalisePlace(%q) = %q, %v", in, got, ok)
		}
	}
	if _, ok := NormalisePlace("Exeter"); ok {
		t.Error("a town name is not a postcode")
	}
}

func TestOutcodesAndDistance(t *testing.T) {
	if len(outcodes) < 2900 {
		t.Fatalf("%d outcodes embedded", len(outcodes))
	}
	exeter, ok := OutcodeCentre("EX4")
	if !ok {
		t.Fatal("EX4 missing")
	}
	london, _ := OutcodeCentre("SW1A")
	// Exeter to Westminster is about 255 km as the crow flies.
	if d := DistanceKm(exeter, london); d < 240 || d > 270 {
		t.Errorf("EX4 to SW1A: %.1f km", d)
	}
	if d := DistanceKm(exeter, exeter); d != 0 {
		t.Errorf("zero distance: %v", d)
	}
	// One degree of latitude is about 111.2 km.
	if d := DistanceKm(Point{50, 0}, Point{51, 0}); math.Abs(d-111.2) > 0.2 {
		t.Errorf("one degree: %.2f", d)
	}
	minLat, maxLat, minLon, maxLon := BoundingBox(exeter, 10)
	for _, p := range []Point{{minLat, exeter.Lon}, {maxLat, exeter.Lon}, {exeter.Lat, minLon}, {exeter.Lat, maxLon}} {
		if d := DistanceKm(exeter, p); math.Abs(d-10) > 0.1 {
			t.Errorf("box edge %.3f km away", d)
		}
	}
}
