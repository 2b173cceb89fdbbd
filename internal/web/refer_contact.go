package web

import (
	"errors"
	"strings"
	"time"

	"oikos"
	"oikos/internal/referral"
)

// The referral forms ask for a way to reach the person. The data model
// holds a phone number and an email address but no postal address, so a
// referral with neither could never be followed up: the link worker would
// have no one to ring and nothing to write to. The rule is the forms'
// alone: the API keeps the contract's optional phone and email, since a
// sending system may hold the person's contact details elsewhere.

// contactMissing is the message beside the phone box when neither a phone
// number nor an email address is given; whom says who is to be contacted
// ("you" on the public form, "them" on a professional's).
func contactMissing(phone, email, whom string) string {
	if strings.TrimSpace(phone) != "" || strings.TrimSpace(email) != "" {
		return ""
	}
	return "Give a phone number or an email address, so a link worker can contact " + whom + "."
}

// checkContact refuses a form's referral without a phone number or an
// email address, together with every other mistake in it, so the person
// sees them all at once rather than one after another.
func checkContact(in referral.Input, whom string) error {
	msg := contactMissing(in.Person.Phone, in.Person.Email, whom)
	if msg == "" {
		return nil
	}
	fields := map[string]string{"person.phone": msg}
	var e *oikos.Error
	if err := in.Validate(time.Now()); errors.As(err, &e) {
		for k, v := range e.Fields {
			if _, ok := fields[k]; !ok {
				fields[k] = v
			}
		}
	}
	return oikos.Invalid(fields)
}

// contactBy says how the link worker will get in touch, from what the
// form gave: the thank-you page promises only what can be done.
func contactBy(phone, email string) string {
	phone, email = strings.TrimSpace(phone), strings.TrimSpace(email)
	switch {
	case phone != "" && email != "":
		return "phone or email"
	case phone != "":
		return "phone"
	case email != "":
		return "email"
	}
	return ""
}
