/** Serve mode opened without its access token (e.g. a bookmarked address). */
export function MissingTokenScreen() {
  return (
    <main className="standalone">
      <div className="empty-state">
        <div className="brand-mark brand-mark--large" aria-hidden="true">
          T
        </div>
        <h1 className="empty-state__title">Open Tandem from its link</h1>
        <p className="empty-state__text">
          This page needs the access token that <code>tandem serve</code> prints when it starts, for example{' '}
          <code className="path">http://127.0.0.1:PORT/?token=…</code>. Open that exact link; Tandem makes a new one each
          time it starts.
        </p>
      </div>
    </main>
  );
}
