import { Library } from "./Library";

export const metadata = { title: "Library · Leffa Studio" };

export default function LibraryPage() {
  return <Library />;
}
