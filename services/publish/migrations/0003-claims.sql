-- A revision is claimed before its files are written, by a committed row in state `writing`, and
-- becomes `published` once every file and the manifest are in place. A run writes only under a
-- revision it holds the claim of (checked before every file), so two runs can never mix files in
-- one revision folder, even when one lost its lock without knowing; a later run takes over a
-- revision whose claimant never finished, after that run's last write in flight has landed.
ALTER TABLE publish.publications
  ADD COLUMN status text NOT NULL DEFAULT 'published' CHECK (status IN ('writing', 'published')),
  ALTER COLUMN manifest DROP NOT NULL,
  ALTER COLUMN published_at DROP DEFAULT,
  ALTER COLUMN published_at DROP NOT NULL,
  ADD CHECK ((status = 'published') = (manifest IS NOT NULL AND published_at IS NOT NULL));
