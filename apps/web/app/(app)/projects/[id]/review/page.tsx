import { ReviewView } from '../../../../../features/review/review-view';

export default async function ReviewPage(props: { params: Promise<{ id: string }>; searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  const [{ id }, query] = await Promise.all([props.params, props.searchParams]);
  const review = typeof query['review'] === 'string' && /^(\d{1,19}|done)$/.test(query['review']) ? query['review'] : null;
  const tab = query['tab'] === 'decided' ? 'decided' : 'pending';
  return <ReviewView projectId={id} reviewId={review} tab={tab} />;
}
