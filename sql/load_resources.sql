-- load_resources.sql: one resources record into new_resources (see
-- load_projects.sql for how the parameters are bound).
INSERT INTO new_resources VALUES (
  dc_id(:resourceid), dc_id(:projectid), dc_id(:vendorid),
  dc_text(:vendor_name, 'vendor_name'), dc_text(:item_name, 'item_name'),
  dc_text(:item_number, 'item_number'),
  dc_double(:item_unit_price, 'item_unit_price'),
  dc_count(:item_quantity, 'item_quantity'),
  :_fp
);
