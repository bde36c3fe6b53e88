package dev.ferry.channel;

/**
 * Messages arriving at one address, from any number of senders told apart by a session id.
 */
public interface Inbound extends AutoCloseable
{
    /**
     * @return the address peers send to, resolved (an ephemeral port filled in).
     */
    String address();

    /**
     * Deliver waiting messages from every sender except paused ones.
     *
     * @param handler      given each whole message, reassembled if it was fragmented.
     * @param messageLimit most messages to deliver.
     * @return messages delivered.
     */
    int poll(MessageHandler handler, int messageLimit);

    /**
     * Stop or restart delivering one sender's messages. A paused sender's messages wait in the
     * transport, and once its window is full the sender is back-pressured: how a server pushes
     * back on one producer without affecting others.
     *
     * @param sessionId of the sender.
     * @param paused    true to pause.
     */
    void pause(int sessionId, boolean paused);

    /**
     * Stop receiving.
     */
    void close();
}
