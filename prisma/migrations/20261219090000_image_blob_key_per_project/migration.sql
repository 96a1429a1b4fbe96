-- Images registered in place (images.registerFromStore) are recognised by their object: registering
-- the same prefix again looks each listed key up here, a page of keys per query, and skips those a
-- project already holds. Unique, so two registrations running at once cannot add an object twice.
-- Uploaded images already hold one row per content hash and their keys derive from it, so existing
-- rows satisfy it.
CREATE UNIQUE INDEX "images_project_id_blob_key_key" ON "images" ("project_id", "blob_key");
