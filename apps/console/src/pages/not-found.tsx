import { useFocusOnChange } from '../hooks';
import { PageHeading } from '../components/ui';

export function NotFound() {
  const heading = useFocusOnChange<HTMLHeadingElement>('not-found');
  return (
    <>
      <PageHeading headingRef={heading}>Page not found</PageHeading>
      <p>
        <a href="#/">Back to your apps</a>
      </p>
    </>
  );
}
