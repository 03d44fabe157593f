import Link from "next/link";
import { getPrisma } from "../_server/db";
import { listGallery } from "../_server/sharing";
import styles from "../library/library.module.css";

export const dynamic = "force-dynamic";
export const metadata = { title: "Public gallery · Leffa Studio" };

/** Workflows their owners published as public; each opens its read-only share page. */
export default async function GalleryPage({
  searchParams,
}: {
  searchParams: Promise<{ offset?: string }>;
}) {
  const raw = Number((await searchParams).offset ?? 0);
  const offset = Number.isInteger(raw) && raw >= 0 ? raw : 0;
  const { workflows, nextOffset } = await listGallery(getPrisma(), offset);
  return (
    <div className="library">
      <header className="toolbar">
        <Link href="/library" className="brand">
          Leffa Studio
        </Link>
        <h1>Public gallery</h1>
        <span className="spacer" />
        <Link href="/library" className="button">
          Your library
        </Link>
      </header>
      {workflows.length === 0 && <p className="hint">Nothing has been published yet.</p>}
      <ul className="library-grid">
        {workflows.map((w) => (
          <li key={w.token} className="library-card" data-testid="gallery-card">
            <Link href={`/s/${w.token}`} className="thumb">
              {w.hasThumbnail ? (
                // eslint-disable-next-line @next/next/no-img-element -- stored output served by our API
                <img src={`/api/share/${w.token}/thumbnail`} alt="" />
              ) : (
                <span className="no-thumb">no preview</span>
              )}
            </Link>
            <div className="meta">
              <Link href={`/s/${w.token}`} className="title">
                {w.name}
              </Link>
              <span>
                {w.nodeCount} nodes · updated {w.updatedAt.toISOString().slice(0, 10)}
              </span>
              {w.description && <p className={styles.description}>{w.description}</p>}
              {w.tags.length > 0 && (
                <div className={styles.tags}>
                  {w.tags.map((t) => (
                    <span key={t} className={styles.tag}>
                      {t}
                    </span>
                  ))}
                </div>
              )}
            </div>
          </li>
        ))}
      </ul>
      {nextOffset !== null && (
        <div className={styles.more}>
          <Link href={`/gallery?offset=${nextOffset}`} className="button">
            More
          </Link>
        </div>
      )}
    </div>
  );
}
