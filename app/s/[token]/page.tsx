import type { Metadata } from "next";
import Link from "next/link";
import { notFound } from "next/navigation";
import { cache } from "react";
import { getNodeDefinition } from "../../../nodes";
import { getPrisma } from "../../_server/db";
import { getSharedWorkflow } from "../../_server/sharing";
import styles from "../../library/library.module.css";
import { ForkButton } from "../ForkButton";
import { layoutGraph } from "../graph-layout";
import { SharedGraph } from "../SharedGraph";

export const dynamic = "force-dynamic";

interface Props {
  params: Promise<{ token: string }>;
}

/**
 * One database read per page view: the metadata and the page both need the workflow, and React's
 * cache shares the answer within a request (bench:load: the share page's p95 was the slowest read).
 */
const loadShared = cache((token: string) => getSharedWorkflow(getPrisma(), token));

export async function generateMetadata({ params }: Props): Promise<Metadata> {
  const shared = await loadShared((await params).token);
  return {
    title: shared ? `${shared.name} · Leffa Studio` : "Not found · Leffa Studio",
    // A link-only workflow must not turn up in search engines.
    robots: { index: shared?.visibility === "public", follow: false },
  };
}

/** A published workflow, read-only, for anyone with the link; 404 once unpublished. */
export default async function SharedPage({ params }: Props) {
  const { token } = await params;
  const shared = await loadShared(token);
  if (!shared) notFound();
  const layout = layoutGraph(shared.document, getNodeDefinition);
  return (
    <div className={styles.share}>
      <header className="toolbar">
        <Link href="/gallery" className="brand">
          Leffa Studio
        </Link>
        <h1 data-testid="shared-name">{shared.name}</h1>
        <span className="spacer" />
        <span className="hint">read-only · version {shared.latestVersion}</span>
      </header>
      <main className={styles.shareBody}>
        <aside className={styles.shareInfo}>
          {shared.description && (
            <p className={styles.description} data-testid="shared-description">
              {shared.description}
            </p>
          )}
          {shared.tags.length > 0 && (
            <div className={styles.tags}>
              {shared.tags.map((t) => (
                <span key={t} className={styles.tag}>
                  {t}
                </span>
              ))}
            </div>
          )}
          <span className="hint">
            {shared.nodeCount} nodes · updated {shared.updatedAt.toISOString().slice(0, 10)}
          </span>
          <ForkButton token={token} />
          {shared.hasThumbnail && (
            <figure>
              {/* eslint-disable-next-line @next/next/no-img-element -- stored output served by our API */}
              <img
                src={`/api/share/${token}/thumbnail`}
                alt="Latest output"
                style={{ maxWidth: "100%", borderRadius: 6 }}
              />
              <figcaption className="hint">Latest output</figcaption>
            </figure>
          )}
        </aside>
        <div className={styles.graph}>
          <SharedGraph layout={layout} />
        </div>
      </main>
    </div>
  );
}
