-- load_donations.sql: one donations record into new_donations (see
-- load_projects.sql for how the parameters are bound).
INSERT INTO new_donations VALUES (
  dc_id(:donationid), dc_id(:projectid), dc_id(:donor_acctid), dc_id(:cartid),
  dc_text(:donor_city, 'donor_city'), dc_text(:donor_state, 'donor_state'),
  dc_text(:donor_zip, 'donor_zip'),
  dc_flag(:is_teacher_acct, 'is_teacher_acct'),
  iso_date(:donation_timestamp, 'donation_timestamp'),
  dc_double(:donation_to_project, 'donation_to_project'),
  dc_double(:donation_optional_support, 'donation_optional_support'),
  dc_double(:donation_total, 'donation_total'),
  dc_flag(:donation_included_optional_support,
          'donation_included_optional_support'),
  dc_text(:payment_method, 'payment_method'),
  dc_flag(:payment_included_acct_credit, 'payment_included_acct_credit'),
  dc_flag(:payment_included_campaign_gift_card,
          'payment_included_campaign_gift_card'),
  dc_flag(:payment_included_web_purchased_gift_card,
          'payment_included_web_purchased_gift_card'),
  dc_flag(:payment_was_promo_matched, 'payment_was_promo_matched'),
  dc_flag(:is_teacher_referred, 'is_teacher_referred'),
  dc_id(:giving_page_id), dc_text(:giving_page_type, 'giving_page_type'),
  dc_flag(:for_honoree, 'for_honoree'),
  dc_flag(:thank_you_packet_mailed, 'thank_you_packet_mailed'),
  :_fp
);
