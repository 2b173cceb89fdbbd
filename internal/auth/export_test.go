package auth

// HoldHashers takes every slot of h, as a flood would, until release.
func HoldHashers(h *Hashers) (release func()) {
	for range cap(h.slots) {
		h.tickets <- struct{}{}
		h.slots <- struct{}{}
	}
	return func() {
		for range cap(h.slots) {
			<-h.slots
			<-h.tickets
		}
	}
}
