-- A phone number people can ring an organisation on. A scheme's is given
-- to the people it supports beside their link worker's email: many of
-- them, elderly or offline, have no email to write from.
ALTER TABLE organisations ADD COLUMN phone TEXT NOT NULL DEFAULT ''
