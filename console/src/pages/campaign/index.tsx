/** Placeholder until its owner writes the page (session 8, in progress). */
export default function Page_campaign_index() {
  return <p data-page="pending">準備中 / In progress</p>;
}
