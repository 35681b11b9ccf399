import type { ReplyTo } from '@chatter/protocol';
import type { RowActions } from './message-row';

interface ReplyQuoteProps {
  quote: ReplyTo;
  tabIndex: number;
  actions: RowActions;
}

/** The message a reply answers; activating it goes to that message (loading it if need be). */
export const ReplyQuote = ({ quote, tabIndex, actions }: ReplyQuoteProps) => (
  <button
    type="button"
    class="reply-quote"
    tabIndex={tabIndex}
    title="Go to the quoted message"
    onClick={() => actions.jump(quote)}
  >
    <QuoteText quote={quote} prefix="In reply to" />
  </button>
);

/** "Ada: the start of her message", or "Ada: deleted message"; `prefix` is for screen readers. */
export const QuoteText = ({ quote, prefix }: { quote: ReplyTo; prefix: string }) => (
  <>
    <span class="sr-only">{prefix} </span>
    <span class="quote-author">{quote.author.name}:</span>{' '}
    <span class={quote.deleted ? 'quote-excerpt deleted' : 'quote-excerpt'}>
      {quote.deleted ? 'deleted message' : quote.excerpt}
    </span>
  </>
);
